package reference

import (
	"testing"

	"github.com/fgen-dev/fgen/internal/testmain"
)

func TestMain(m *testing.M) { testmain.Run(m) }

package main

import (
	"fmt"

	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
)

func (g *globalOptions) openMaxCompute(name string, t models.Target, opts *targetOptions) (warehouse.Warehouse, error) {
	return nil, fmt.Errorf("the maxcompute engine is not wired in yet")
}

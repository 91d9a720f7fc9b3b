package maxcompute

var WithoutUserinfo = withoutUserinfo

package templates

// A dialect file (sql/<dialect>.tmpl) holds the SQL syntax of one engine:
// exactly the templates DialectContract lists, each meaning the same in
// every dialect, plus private helpers named "<dialect>_...". Everything
// else, the logic of each node and funnel mode, is in the shared files.
// generator's tests check every dialect file against this list.

// DialectTemplate is a template every dialect file defines.
type DialectTemplate struct {
	Name  string
	Means string // what it renders, and from what data
}

// DialectContract lists the templates each dialect file defines.
var DialectContract = []DialectTemplate{
	// Tables.
	{"create_table", "the statements that create a table (a table view), each ending with {{eos}}"},
	{"drop_table", "the statement that drops a table (its name) if it exists"},
	{"alter_add_columns", "the statements that append columns to a table (generator.Alter)"},
	{"alter_comment", "the statement that sets a table's comment (generator.Alter)"},
	{"alter_lifecycle", "the statement that sets a table's lifecycle, or nothing on an engine without lifecycles (generator.Alter)"},
	{"alter_column_comment", "the statement that sets a column's comment (T: generator.Alter, C: the column)"},
	// Nodes and the partitions they write.
	{"setting", "a session setting's line in a node file (generator.Setting)"},
	{"script_begin", "what a node file has before its statements, e.g. BEGIN TRANSACTION"},
	{"script_end", "what a node file has after its statements, e.g. COMMIT"},
	{"partition_clear", "the statement that empties the partition a node writes, or nothing where the write replaces it (a table view)"},
	{"insert_open", "the head of the statement that writes a node's partition (a table view)"},
	{"insert_partition_value", "the partition value among the written columns, or nothing where the partition is named in insert_open"},
	{"insert_close", "the end of that statement"},
	// The DW node.
	{"dw_dedup", "the SELECT of the cleaned rows keeping one row per dedup key (the DW view); both build on dw_first_copies"},
	{"dw_order", "the cleaned rows Body in the order the engine writes them best (V: the DW view)"},
	{"dw_cast", "the ODS column C cast to its DW type, a fraction into an integer truncated towards zero, as MaxCompute's CAST does (a dwColumn)"},
	// The funnel modes' pieces of syntax.
	{"known_event", "whether a row's value of an event column is one the funnels count (a stageMatch: Column, Events, String)"},
	{"stage_number", "the stage of a row's event, NULL for other events (a stages view)"},
	{"stage_bit", "the bit of a row's stage in a users funnel's set of stages, NULL for other events (a stages view)"},
	{"bit_or_agg", "the bitwise OR aggregate of its argument"},
	{"sort_key", "a column of a window's ORDER BY that may hold NULL, sorting NULL after every value"},
	{"shr", "X shifted right by N bits"},
	{"struct_begin", "the start of a struct literal"},
	{"struct_field", "one field Name: Value of a struct literal"},
	{"struct_end", "the end of a struct literal"},
	{"struct_get", "the field F of the struct S"},
	{"fold_time", "the time of the sort key X (V: the report view)"},
	{"fold_stage", "the stage of the sort key X (V: the report view)"},
	{"fold_rows", "a user's sort keys Key, sorted and folded with Step (over the state p and the key x) from Init; with the flag FoldLongLists, a list of more than V.Fold.LongList keys, named fgen_keys, is folded by Long instead (V: the report view)"},
	{"stage_rows", "after FROM (a query) alias: a row of it per stage k = 1..N, numbered fgen_k (the report view)"},
	// Time columns.
	{"time_units", "a funnel's time column .Time as integer units, read as .TimeRead says, NULL when it does not read (the report view)"},
	{"time_reads", "whether a STRING time column's value reads in its format (.Column, .ODPS, .Strftime)"},
}

// FlaggedTemplate is a template that exactly the dialects with Flag (one of
// the dialect flags templates read as dialect.Flag) define.
type FlaggedTemplate struct {
	DialectTemplate
	Flag string
}

// FlaggedContract lists the templates only some dialects define.
var FlaggedContract = []FlaggedTemplate{
	// Whole-list operations of the long-list fold (ordered_fold_long).
	{DialectTemplate{"list_len", "the number of elements of the list L"}, "FoldLongLists"},
	{DialectTemplate{"list_at", "the element at position I (from 1) of the list L"}, "FoldLongLists"},
	{DialectTemplate{"list_positions", "the ascending list of the positions I (from 1) of the list L whose element X at position I meets Cond"}, "FoldLongLists"},
	{DialectTemplate{"list_fill", "the BIGINT list of N elements holding at each position the Value (an expression of the position P) of the last of the ascending positions Ps at or before it, and None before the first"}, "FoldLongLists"},
	{DialectTemplate{"list_let", "Body with Name bound to the value of Value"}, "FoldLongLists"},
	{DialectTemplate{"list_of", "the list of the one element V"}, "FoldLongLists"},
	{DialectTemplate{"list_append", "the list L with the element V appended"}, "FoldLongLists"},
	{DialectTemplate{"list_reduce_range", "Step, a state of A and the integer K, folded over K = From, ..., To from Init"}, "FoldLongLists"},
	// The packed fold of ordered_users (generator.foldPacked).
	{DialectTemplate{"fold_base", "the time origin of the packed fold's keys in time units: the business date's midnight UTC less V.Fold.Packed.Margin (the report view)"}, "FoldPacked"},
	{DialectTemplate{"fold_sorted", "a user's sort keys (the aggregate of Key) as a list in order (V: the report view)"}, "FoldPacked"},
	{DialectTemplate{"fold_packs", "whether the sorted list L is short (V.Fold.LongList) and its times fit the packed fields, from 0 to V.Fold.Packed.Mask - 1"}, "FoldPacked"},
	{DialectTemplate{"fold_packed", "the sorted list L folded into the packed state, a BIGINT (ordered_step_starts on fields)"}, "FoldPacked"},
	{DialectTemplate{"fold_packed_field", "the field F of the packed state S, masked with M"}, "FoldPacked"},
	{DialectTemplate{"fold_packed_level", "the stage the packed state S reached (V: the report view)"}, "FoldPacked"},
	{DialectTemplate{"fold_list", "the sorted list L folded with Step from Init as fold_rows folds, and Long, naming it fgen_keys, for more than V.Fold.LongList keys"}, "FoldPacked"},
}

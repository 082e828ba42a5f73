"""The column-generation engine: per-person schedules priced by labeling, a master LP over them in HiGHS,
integer plans by diving and branching (branch-and-price)."""

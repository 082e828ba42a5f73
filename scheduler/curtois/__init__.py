"""The Curtois-Qu staff-scheduling benchmark: reader, independent evaluator and CP-SAT solver."""

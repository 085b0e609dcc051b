"""`make bench`: the budgets of DESIGN.md section 9, measured (never asserted in tests)."""

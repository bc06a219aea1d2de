-- Counting the journal by state (the status bar) walks this index instead of the table.
CREATE INDEX redemptions_state ON redemptions(state);

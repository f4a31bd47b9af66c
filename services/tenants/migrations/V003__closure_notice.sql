-- What the citizens booked on a closure's days are told (the notifications service writes to
-- them when it hears of the closure): nothing (the desk calls them), that their appointment will
-- be moved, or that it is cancelled. The administrator chooses when making the closure.
ALTER TABLE tenants.closures ADD COLUMN citizen_notice text NOT NULL DEFAULT 'NONE'
  CHECK (citizen_notice IN ('NONE', 'MOVED', 'CANCELLED'));

-- An enrollment's status moves only along its lifecycle, whoever writes it:
--   waitlisted → confirmed (a seat opened, or an admin promoted) or cancelled
--   confirmed  → checked_in or cancelled
--   checked_in → attended
-- Attended and cancelled are final: enrolling again after cancelling is a new enrollment. With this, a writer that
-- puts a group's statements out of the order its decisions were taken in (attendance before the check-in, a promotion
-- of someone already cancelled) is refused at that statement, as a capacity or FIFO break already is (0003).

CREATE FUNCTION enrollments_follow_lifecycle() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT b.id, b.status AS from_status, a.status AS to_status INTO bad
      FROM before_rows b
      JOIN after_rows a USING (id)
     WHERE a.status <> b.status
       AND (b.status, a.status) NOT IN (('waitlisted', 'confirmed'), ('waitlisted', 'cancelled'),
                                        ('confirmed', 'checked_in'), ('confirmed', 'cancelled'),
                                        ('checked_in', 'attended'))
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'enrollment % cannot move from % to %', bad.id, bad.from_status, bad.to_status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'enrollment_follows_lifecycle';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER enrollments_check_lifecycle AFTER UPDATE ON enrollments
    REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION enrollments_follow_lifecycle();

-- The daily analytics workflow walks the users of one time zone in id order.
CREATE INDEX users_timezone_id_idx ON users (timezone, id);

-- 003: indexes for 工作台 (the overdue list and each village's monthly visit rate) on large registries.

CREATE INDEX persons_due ON persons(status, next_due);
CREATE INDEX persons_dashboard ON persons(status, kind, village_id, last_visit, next_due);

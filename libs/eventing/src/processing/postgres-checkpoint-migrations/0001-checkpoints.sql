-- Positions of the processors whose checkpoint is shared by the fleet (the Kafka relay): whichever
-- instance holds the processor's lease resumes from here. Saves are fenced on the lease (see
-- PostgresCheckpointStore), so the `leases` migrations run first.
CREATE TABLE checkpoints (
  name TEXT PRIMARY KEY,
  position TEXT NOT NULL,
  holder TEXT NOT NULL,
  term BIGINT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);

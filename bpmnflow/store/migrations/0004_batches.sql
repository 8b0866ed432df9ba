-- bpmnflow schema, version 4: batches (long-running operations run by the job executor).

CREATE TABLE bf_batch (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    type TEXT NOT NULL,
    total_jobs INTEGER NOT NULL,
    jobs_created INTEGER NOT NULL,
    batch_jobs_per_seed INTEGER NOT NULL,
    invocations_per_batch_job INTEGER NOT NULL,
    seed_job_def_id TEXT,
    monitor_job_def_id TEXT,
    batch_job_def_id TEXT,
    configuration TEXT NOT NULL,
    suspension_state INTEGER NOT NULL,
    tenant_id TEXT,
    create_user_id TEXT,
    start_time BIGINT NOT NULL,
    execution_start_time BIGINT
);

CREATE TABLE bf_hi_batch (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    total_jobs INTEGER NOT NULL,
    batch_jobs_per_seed INTEGER NOT NULL,
    invocations_per_batch_job INTEGER NOT NULL,
    seed_job_def_id TEXT,
    monitor_job_def_id TEXT,
    batch_job_def_id TEXT,
    tenant_id TEXT,
    create_user_id TEXT,
    start_time BIGINT NOT NULL,
    end_time BIGINT,
    removal_time BIGINT,
    execution_start_time BIGINT
);

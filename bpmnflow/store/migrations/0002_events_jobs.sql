-- bpmnflow schema, version 2: event subscriptions, jobs, external tasks and incidents.

CREATE TABLE bf_event_subscription (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    event_name TEXT,
    execution_id TEXT,
    proc_inst_id TEXT,
    activity_id TEXT,
    configuration TEXT,
    created BIGINT NOT NULL,
    proc_def_id TEXT,
    tenant_id TEXT
);
CREATE INDEX bf_event_subscription_name ON bf_event_subscription (event_type, event_name);
CREATE INDEX bf_event_subscription_execution ON bf_event_subscription (execution_id);
CREATE INDEX bf_event_subscription_instance ON bf_event_subscription (proc_inst_id);

CREATE TABLE bf_job (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    type TEXT NOT NULL,
    handler_type TEXT NOT NULL,
    handler_cfg TEXT,
    lock_owner TEXT,
    lock_expiration BIGINT,
    due_date BIGINT,
    retries INTEGER NOT NULL,
    exception_message TEXT,
    exception_stacktrace TEXT,
    execution_id TEXT,
    proc_inst_id TEXT,
    proc_def_id TEXT,
    proc_def_key TEXT,
    activity_id TEXT,
    job_def_id TEXT,
    repeat TEXT,
    priority BIGINT NOT NULL,
    exclusive BOOL NOT NULL,
    suspension_state INTEGER NOT NULL,
    tenant_id TEXT,
    create_time BIGINT NOT NULL,
    failed_activity_id TEXT,
    deployment_id TEXT
);
CREATE INDEX bf_job_acquire ON bf_job (due_date);
CREATE INDEX bf_job_instance ON bf_job (proc_inst_id);
CREATE INDEX bf_job_execution ON bf_job (execution_id);

CREATE TABLE bf_job_definition (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    proc_def_id TEXT NOT NULL,
    proc_def_key TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    job_type TEXT NOT NULL,
    job_configuration TEXT,
    priority BIGINT,
    suspension_state INTEGER NOT NULL,
    tenant_id TEXT,
    deployment_id TEXT
);
CREATE INDEX bf_job_definition_definition ON bf_job_definition (proc_def_id);

CREATE TABLE bf_external_task (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    topic_name TEXT NOT NULL,
    worker_id TEXT,
    lock_expiration BIGINT,
    retries INTEGER,
    error_message TEXT,
    error_details TEXT,
    execution_id TEXT NOT NULL,
    proc_inst_id TEXT NOT NULL,
    proc_def_id TEXT NOT NULL,
    proc_def_key TEXT NOT NULL,
    proc_def_version_tag TEXT,
    activity_id TEXT NOT NULL,
    activity_instance_id TEXT NOT NULL,
    suspension_state INTEGER NOT NULL,
    priority BIGINT NOT NULL,
    business_key TEXT,
    tenant_id TEXT,
    create_time BIGINT NOT NULL,
    last_failure_log_id TEXT
);
CREATE INDEX bf_external_task_topic ON bf_external_task (topic_name);
CREATE INDEX bf_external_task_instance ON bf_external_task (proc_inst_id);

CREATE TABLE bf_incident (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    incident_type TEXT NOT NULL,
    incident_message TEXT,
    incident_timestamp BIGINT NOT NULL,
    execution_id TEXT,
    activity_id TEXT,
    failed_activity_id TEXT,
    proc_inst_id TEXT,
    proc_def_id TEXT,
    cause_incident_id TEXT,
    root_cause_incident_id TEXT,
    configuration TEXT,
    tenant_id TEXT,
    job_def_id TEXT,
    annotation TEXT
);
CREATE INDEX bf_incident_instance ON bf_incident (proc_inst_id);

CREATE TABLE bf_hi_incident (
    id TEXT PRIMARY KEY,
    proc_def_key TEXT,
    proc_def_id TEXT,
    proc_inst_id TEXT,
    execution_id TEXT,
    create_time BIGINT NOT NULL,
    end_time BIGINT,
    incident_message TEXT,
    incident_type TEXT NOT NULL,
    activity_id TEXT,
    failed_activity_id TEXT,
    cause_incident_id TEXT,
    root_cause_incident_id TEXT,
    configuration TEXT,
    history_configuration TEXT,
    incident_state INTEGER NOT NULL,
    tenant_id TEXT,
    job_def_id TEXT,
    annotation TEXT,
    removal_time BIGINT,
    root_proc_inst_id TEXT
);
CREATE INDEX bf_hi_incident_instance ON bf_hi_incident (proc_inst_id);

CREATE TABLE bf_hi_job_log (
    id TEXT PRIMARY KEY,
    timestamp BIGINT NOT NULL,
    job_id TEXT NOT NULL,
    job_due_date BIGINT,
    job_retries INTEGER,
    job_priority BIGINT,
    job_exception_msg TEXT,
    job_exception_stack TEXT,
    job_state INTEGER NOT NULL,
    job_def_id TEXT,
    job_def_type TEXT,
    job_def_configuration TEXT,
    activity_id TEXT,
    failed_activity_id TEXT,
    execution_id TEXT,
    proc_inst_id TEXT,
    proc_def_id TEXT,
    proc_def_key TEXT,
    deployment_id TEXT,
    tenant_id TEXT,
    hostname TEXT,
    removal_time BIGINT,
    root_proc_inst_id TEXT,
    seq BIGINT NOT NULL
);
CREATE INDEX bf_hi_job_log_instance ON bf_hi_job_log (proc_inst_id);

CREATE TABLE bf_hi_ext_task_log (
    id TEXT PRIMARY KEY,
    timestamp BIGINT NOT NULL,
    ext_task_id TEXT NOT NULL,
    retries INTEGER,
    topic_name TEXT,
    worker_id TEXT,
    priority BIGINT,
    error_msg TEXT,
    error_details TEXT,
    activity_id TEXT,
    activity_instance_id TEXT,
    execution_id TEXT,
    proc_inst_id TEXT,
    proc_def_id TEXT,
    proc_def_key TEXT,
    tenant_id TEXT,
    state INTEGER NOT NULL,
    removal_time BIGINT,
    root_proc_inst_id TEXT,
    seq BIGINT NOT NULL
);
CREATE INDEX bf_hi_ext_task_log_instance ON bf_hi_ext_task_log (proc_inst_id);

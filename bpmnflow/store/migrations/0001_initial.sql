-- bpmnflow schema, version 1: repository, runtime and history of the engine foundation.
-- Type words BLOB, BOOL and DOUBLE are mapped per dialect when the migration runs.
-- Times are epoch milliseconds (BIGINT): portable, compact and cheap to sort and compare.

CREATE TABLE bf_deployment (
    id TEXT PRIMARY KEY,
    name TEXT,
    deploy_time BIGINT NOT NULL,
    source TEXT,
    tenant_id TEXT
);

CREATE TABLE bf_resource (
    id TEXT PRIMARY KEY,
    deployment_id TEXT NOT NULL,
    name TEXT NOT NULL,
    content BLOB NOT NULL
);
CREATE INDEX bf_resource_deployment ON bf_resource (deployment_id);

CREATE TABLE bf_process_definition (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    def_key TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT,
    category TEXT,
    description TEXT,
    deployment_id TEXT NOT NULL,
    resource_name TEXT,
    diagram_resource_name TEXT,
    tenant_id TEXT,
    version_tag TEXT,
    history_ttl INTEGER,
    startable BOOL NOT NULL,
    has_start_form_key BOOL NOT NULL,
    suspension_state INTEGER NOT NULL
);
CREATE UNIQUE INDEX bf_process_definition_version
    ON bf_process_definition (def_key, COALESCE(tenant_id, ''), version);
CREATE INDEX bf_process_definition_deployment ON bf_process_definition (deployment_id);

CREATE TABLE bf_execution (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    proc_inst_id TEXT NOT NULL,
    parent_id TEXT,
    proc_def_id TEXT NOT NULL,
    proc_def_key TEXT NOT NULL,
    business_key TEXT,
    activity_id TEXT,
    state TEXT NOT NULL,
    incoming_flow TEXT,
    suspension_state INTEGER NOT NULL,
    tenant_id TEXT,
    super_exec_id TEXT,
    root_proc_inst_id TEXT,
    start_time BIGINT NOT NULL,
    seq BIGINT NOT NULL
);
CREATE INDEX bf_execution_instance ON bf_execution (proc_inst_id);
CREATE INDEX bf_execution_business_key ON bf_execution (business_key);
CREATE INDEX bf_execution_super ON bf_execution (super_exec_id);

CREATE TABLE bf_variable (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    name TEXT NOT NULL,
    var_type TEXT NOT NULL,
    text_value TEXT,
    long_value BIGINT,
    double_value DOUBLE,
    bytes_value BLOB,
    value_info TEXT,
    execution_id TEXT,
    proc_inst_id TEXT,
    task_id TEXT,
    proc_def_id TEXT,
    tenant_id TEXT,
    create_time BIGINT NOT NULL
);
CREATE INDEX bf_variable_instance ON bf_variable (proc_inst_id);
CREATE INDEX bf_variable_task ON bf_variable (task_id);
CREATE INDEX bf_variable_name ON bf_variable (name);

CREATE TABLE bf_task (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    name TEXT,
    description TEXT,
    assignee TEXT,
    owner TEXT,
    delegation_state TEXT,
    priority INTEGER NOT NULL,
    create_time BIGINT NOT NULL,
    last_updated BIGINT,
    due_date BIGINT,
    follow_up_date BIGINT,
    task_def_key TEXT,
    execution_id TEXT,
    proc_inst_id TEXT,
    proc_def_id TEXT,
    proc_def_key TEXT,
    parent_task_id TEXT,
    form_key TEXT,
    tenant_id TEXT,
    suspension_state INTEGER NOT NULL,
    task_state TEXT
);
CREATE INDEX bf_task_instance ON bf_task (proc_inst_id);
CREATE INDEX bf_task_assignee ON bf_task (assignee);

CREATE TABLE bf_identity_link (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    type TEXT NOT NULL,
    user_id TEXT,
    group_id TEXT,
    task_id TEXT,
    proc_def_id TEXT,
    proc_inst_id TEXT,
    tenant_id TEXT
);
CREATE INDEX bf_identity_link_task ON bf_identity_link (task_id);
CREATE INDEX bf_identity_link_user ON bf_identity_link (user_id);
CREATE INDEX bf_identity_link_group ON bf_identity_link (group_id);

CREATE TABLE bf_hi_procinst (
    id TEXT PRIMARY KEY,
    business_key TEXT,
    proc_def_id TEXT NOT NULL,
    proc_def_key TEXT NOT NULL,
    proc_def_name TEXT,
    proc_def_version INTEGER,
    start_time BIGINT NOT NULL,
    end_time BIGINT,
    duration BIGINT,
    start_user_id TEXT,
    start_act_id TEXT,
    end_act_id TEXT,
    super_proc_inst_id TEXT,
    root_proc_inst_id TEXT,
    delete_reason TEXT,
    tenant_id TEXT,
    state TEXT NOT NULL,
    removal_time BIGINT,
    restarted_proc_inst_id TEXT
);
CREATE INDEX bf_hi_procinst_key ON bf_hi_procinst (proc_def_key);
CREATE INDEX bf_hi_procinst_end ON bf_hi_procinst (end_time);

CREATE TABLE bf_hi_actinst (
    id TEXT PRIMARY KEY,
    parent_act_inst_id TEXT,
    act_id TEXT NOT NULL,
    act_name TEXT,
    act_type TEXT NOT NULL,
    proc_def_key TEXT,
    proc_def_id TEXT,
    proc_inst_id TEXT,
    execution_id TEXT,
    task_id TEXT,
    assignee TEXT,
    called_proc_inst_id TEXT,
    start_time BIGINT NOT NULL,
    end_time BIGINT,
    duration BIGINT,
    canceled BOOL NOT NULL,
    complete_scope BOOL NOT NULL,
    tenant_id TEXT,
    removal_time BIGINT,
    root_proc_inst_id TEXT,
    seq BIGINT NOT NULL
);
CREATE INDEX bf_hi_actinst_instance ON bf_hi_actinst (proc_inst_id);

CREATE TABLE bf_hi_taskinst (
    id TEXT PRIMARY KEY,
    proc_def_key TEXT,
    proc_def_id TEXT,
    proc_inst_id TEXT,
    execution_id TEXT,
    act_inst_id TEXT,
    name TEXT,
    description TEXT,
    delete_reason TEXT,
    owner TEXT,
    assignee TEXT,
    start_time BIGINT NOT NULL,
    end_time BIGINT,
    duration BIGINT,
    task_def_key TEXT,
    priority INTEGER,
    due_date BIGINT,
    follow_up_date BIGINT,
    parent_task_id TEXT,
    tenant_id TEXT,
    removal_time BIGINT,
    root_proc_inst_id TEXT,
    task_state TEXT
);
CREATE INDEX bf_hi_taskinst_instance ON bf_hi_taskinst (proc_inst_id);

CREATE TABLE bf_hi_varinst (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    var_type TEXT NOT NULL,
    text_value TEXT,
    long_value BIGINT,
    double_value DOUBLE,
    bytes_value BLOB,
    value_info TEXT,
    proc_def_key TEXT,
    proc_def_id TEXT,
    proc_inst_id TEXT,
    execution_id TEXT,
    act_inst_id TEXT,
    task_id TEXT,
    tenant_id TEXT,
    state TEXT NOT NULL,
    create_time BIGINT NOT NULL,
    removal_time BIGINT,
    root_proc_inst_id TEXT
);
CREATE INDEX bf_hi_varinst_instance ON bf_hi_varinst (proc_inst_id);

CREATE TABLE bf_hi_detail (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    proc_def_key TEXT,
    proc_def_id TEXT,
    proc_inst_id TEXT,
    act_inst_id TEXT,
    execution_id TEXT,
    task_id TEXT,
    tenant_id TEXT,
    user_op_id TEXT,
    time BIGINT NOT NULL,
    removal_time BIGINT,
    root_proc_inst_id TEXT,
    field_id TEXT,
    var_name TEXT,
    var_inst_id TEXT,
    var_type TEXT,
    text_value TEXT,
    long_value BIGINT,
    double_value DOUBLE,
    bytes_value BLOB,
    value_info TEXT,
    initial BOOL NOT NULL,
    revision INTEGER,
    seq BIGINT NOT NULL
);
CREATE INDEX bf_hi_detail_instance ON bf_hi_detail (proc_inst_id);

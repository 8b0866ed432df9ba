-- bpmnflow schema, version 3: the engine's own users, permission sets (Camunda's groups), their
-- nesting, tenants, authorizations (workflow grants) and the user operation log.

CREATE TABLE bf_user (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    first_name TEXT,
    last_name TEXT,
    email TEXT,
    password_hash TEXT,
    attempts INTEGER NOT NULL,
    lock_exp_time BIGINT
);

-- A permission set is what Camunda's REST API calls a group.
CREATE TABLE bf_group (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    name TEXT,
    type TEXT
);

-- user_id holds group_id directly.
CREATE TABLE bf_membership (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    group_id TEXT NOT NULL
);
CREATE UNIQUE INDEX bf_membership_pair ON bf_membership (user_id, group_id);
CREATE INDEX bf_membership_group ON bf_membership (group_id);

-- member_id (a permission set) holds group_id: whoever holds member_id holds group_id too.
CREATE TABLE bf_group_nesting (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL,
    member_id TEXT NOT NULL
);
CREATE UNIQUE INDEX bf_group_nesting_pair ON bf_group_nesting (group_id, member_id);
CREATE INDEX bf_group_nesting_member ON bf_group_nesting (member_id);

CREATE TABLE bf_tenant (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    name TEXT
);

-- Exactly one of user_id / group_id is set.
CREATE TABLE bf_tenant_member (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    user_id TEXT,
    group_id TEXT
);
CREATE INDEX bf_tenant_member_tenant ON bf_tenant_member (tenant_id);

-- type: 0 global, 1 grant, 2 revoke; permissions: Camunda's bit mask.
CREATE TABLE bf_authorization (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    type INTEGER NOT NULL,
    user_id TEXT,
    group_id TEXT,
    resource_type INTEGER NOT NULL,
    resource_id TEXT NOT NULL,
    permissions BIGINT NOT NULL,
    removal_time BIGINT,
    root_proc_inst_id TEXT
);
CREATE INDEX bf_authorization_group ON bf_authorization (group_id);
CREATE INDEX bf_authorization_user ON bf_authorization (user_id);

-- One row per changed property; rows of one operation share operation_id.
CREATE TABLE bf_hi_op_log (
    id TEXT PRIMARY KEY,
    operation_id TEXT NOT NULL,
    operation_type TEXT NOT NULL,
    entity_type TEXT,
    category TEXT,
    user_id TEXT,
    timestamp BIGINT NOT NULL,
    property TEXT,
    org_value TEXT,
    new_value TEXT,
    annotation TEXT,
    deployment_id TEXT,
    proc_def_id TEXT,
    proc_def_key TEXT,
    proc_inst_id TEXT,
    execution_id TEXT,
    task_id TEXT,
    external_task_id TEXT,
    batch_id TEXT,
    job_id TEXT,
    job_def_id TEXT,
    removal_time BIGINT,
    root_proc_inst_id TEXT,
    seq BIGINT NOT NULL
);
CREATE INDEX bf_hi_op_log_operation ON bf_hi_op_log (operation_id);
CREATE INDEX bf_hi_op_log_instance ON bf_hi_op_log (proc_inst_id);

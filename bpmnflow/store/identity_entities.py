"""Identity, authorization and operation-log tables as entity classes (see 0003_identity.sql)."""

from __future__ import annotations

from bpmnflow.store.entity import Entity, entity

GLOBAL, GRANT, REVOKE = 0, 1, 2


@entity("bf_user")
class User(Entity):
    id: str
    rev: int
    first_name: str | None
    last_name: str | None
    email: str | None
    password_hash: str | None
    attempts: int
    lock_exp_time: int | None


@entity("bf_group")
class Group(Entity):
    """A permission set; Camunda's REST API shows it as a group."""

    id: str
    rev: int
    name: str | None
    type: str | None


@entity("bf_membership", versioned=False)
class Membership(Entity):
    id: str
    user_id: str
    group_id: str


@entity("bf_group_nesting", versioned=False)
class GroupNesting(Entity):
    """``member_id`` holds ``group_id``: every holder of the member set holds the group too."""

    id: str
    group_id: str
    member_id: str


@entity("bf_tenant")
class Tenant(Entity):
    id: str
    rev: int
    name: str | None


@entity("bf_tenant_member", versioned=False)
class TenantMember(Entity):
    id: str
    tenant_id: str
    user_id: str | None
    group_id: str | None


@entity("bf_authorization")
class Authorization(Entity):
    id: str
    rev: int
    type: int
    user_id: str | None
    group_id: str | None
    resource_type: int
    resource_id: str
    permissions: int
    removal_time: int | None
    root_proc_inst_id: str | None


@entity("bf_hi_op_log", versioned=False)
class OperationLogEntry(Entity):
    id: str
    operation_id: str
    operation_type: str
    entity_type: str | None
    category: str | None
    user_id: str | None
    timestamp: int
    property: str | None
    org_value: str | None
    new_value: str | None
    annotation: str | None
    deployment_id: str | None
    proc_def_id: str | None
    proc_def_key: str | None
    proc_inst_id: str | None
    execution_id: str | None
    task_id: str | None
    external_task_id: str | None
    batch_id: str | None
    job_id: str | None
    job_def_id: str | None
    removal_time: int | None
    root_proc_inst_id: str | None
    seq: int

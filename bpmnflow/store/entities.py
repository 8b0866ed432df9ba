"""The engine's tables as entity classes (field order = column order of the SELECTs)."""

from __future__ import annotations

from bpmnflow.store.entity import Entity, entity

ACTIVE = 1
SUSPENDED = 2


@entity("bf_deployment", versioned=False)
class Deployment(Entity):
    id: str
    name: str | None
    deploy_time: int
    source: str | None
    tenant_id: str | None


@entity("bf_resource", versioned=False)
class Resource(Entity):
    id: str
    deployment_id: str
    name: str
    content: bytes


@entity("bf_process_definition")
class ProcessDefinition(Entity):
    id: str
    rev: int
    def_key: str
    version: int
    name: str | None
    category: str | None
    description: str | None
    deployment_id: str
    resource_name: str | None
    diagram_resource_name: str | None
    tenant_id: str | None
    version_tag: str | None
    history_ttl: int | None
    startable: bool
    has_start_form_key: bool
    suspension_state: int


@entity("bf_execution")
class Execution(Entity):
    """A process instance (the root row) or one activity instance inside it.

    Every activity instance is its own row whose parent is the scope it runs in, so the
    activity-instance tree, concurrency and scopes are read straight off the table.
    ``state``: ``active``; ``join`` (arrived at a joining gateway, waiting for its siblings);
    ``async_before``/``async_after`` (a transition waiting for its job).
    """

    id: str
    rev: int
    proc_inst_id: str
    parent_id: str | None
    proc_def_id: str
    proc_def_key: str
    business_key: str | None
    activity_id: str | None
    state: str
    incoming_flow: str | None
    suspension_state: int
    tenant_id: str | None
    super_exec_id: str | None
    root_proc_inst_id: str | None
    start_time: int
    seq: int


@entity("bf_variable")
class Variable(Entity):
    id: str
    rev: int
    name: str
    var_type: str
    text_value: str | None
    long_value: int | None
    double_value: float | None
    bytes_value: bytes | None
    value_info: str | None
    execution_id: str | None
    proc_inst_id: str | None
    task_id: str | None
    proc_def_id: str | None
    tenant_id: str | None
    create_time: int


@entity("bf_task")
class Task(Entity):
    id: str
    rev: int
    name: str | None
    description: str | None
    assignee: str | None
    owner: str | None
    delegation_state: str | None
    priority: int
    create_time: int
    last_updated: int | None
    due_date: int | None
    follow_up_date: int | None
    task_def_key: str | None
    execution_id: str | None
    proc_inst_id: str | None
    proc_def_id: str | None
    proc_def_key: str | None
    parent_task_id: str | None
    form_key: str | None
    tenant_id: str | None
    suspension_state: int
    task_state: str | None


@entity("bf_identity_link")
class IdentityLink(Entity):
    id: str
    rev: int
    type: str
    user_id: str | None
    group_id: str | None
    task_id: str | None
    proc_def_id: str | None
    proc_inst_id: str | None
    tenant_id: str | None


@entity("bf_hi_procinst", versioned=False)
class HistoricProcessInstance(Entity):
    id: str
    business_key: str | None
    proc_def_id: str
    proc_def_key: str
    proc_def_name: str | None
    proc_def_version: int | None
    start_time: int
    end_time: int | None
    duration: int | None
    start_user_id: str | None
    start_act_id: str | None
    end_act_id: str | None
    super_proc_inst_id: str | None
    root_proc_inst_id: str | None
    delete_reason: str | None
    tenant_id: str | None
    state: str
    removal_time: int | None
    restarted_proc_inst_id: str | None


@entity("bf_hi_actinst", versioned=False)
class HistoricActivityInstance(Entity):
    id: str
    parent_act_inst_id: str | None
    act_id: str
    act_name: str | None
    act_type: str
    proc_def_key: str | None
    proc_def_id: str | None
    proc_inst_id: str | None
    execution_id: str | None
    task_id: str | None
    assignee: str | None
    called_proc_inst_id: str | None
    start_time: int
    end_time: int | None
    duration: int | None
    canceled: bool
    complete_scope: bool
    tenant_id: str | None
    removal_time: int | None
    root_proc_inst_id: str | None
    seq: int


@entity("bf_hi_taskinst", versioned=False)
class HistoricTaskInstance(Entity):
    id: str
    proc_def_key: str | None
    proc_def_id: str | None
    proc_inst_id: str | None
    execution_id: str | None
    act_inst_id: str | None
    name: str | None
    description: str | None
    delete_reason: str | None
    owner: str | None
    assignee: str | None
    start_time: int
    end_time: int | None
    duration: int | None
    task_def_key: str | None
    priority: int | None
    due_date: int | None
    follow_up_date: int | None
    parent_task_id: str | None
    tenant_id: str | None
    removal_time: int | None
    root_proc_inst_id: str | None
    task_state: str | None


@entity("bf_hi_varinst", versioned=False)
class HistoricVariableInstance(Entity):
    id: str
    name: str
    var_type: str
    text_value: str | None
    long_value: int | None
    double_value: float | None
    bytes_value: bytes | None
    value_info: str | None
    proc_def_key: str | None
    proc_def_id: str | None
    proc_inst_id: str | None
    execution_id: str | None
    act_inst_id: str | None
    task_id: str | None
    tenant_id: str | None
    state: str
    create_time: int
    removal_time: int | None
    root_proc_inst_id: str | None


@entity("bf_hi_detail", versioned=False)
class HistoricDetail(Entity):
    id: str
    type: str
    proc_def_key: str | None
    proc_def_id: str | None
    proc_inst_id: str | None
    act_inst_id: str | None
    execution_id: str | None
    task_id: str | None
    tenant_id: str | None
    user_op_id: str | None
    time: int
    removal_time: int | None
    root_proc_inst_id: str | None
    field_id: str | None
    var_name: str | None
    var_inst_id: str | None
    var_type: str | None
    text_value: str | None
    long_value: int | None
    double_value: float | None
    bytes_value: bytes | None
    value_info: str | None
    initial: bool
    revision: int | None
    seq: int


@entity("bf_event_subscription")
class EventSubscription(Entity):
    """A token (or a definition, for start events) waiting for a message, signal or condition."""

    id: str
    rev: int
    event_type: str  # message | signal | conditional | compensate
    event_name: str | None
    execution_id: str | None
    proc_inst_id: str | None
    activity_id: str | None
    configuration: str | None
    created: int
    proc_def_id: str | None
    tenant_id: str | None


@entity("bf_job")
class Job(Entity):
    """Work for the job executor: timers, asynchronous continuations, suspensions, batches."""

    id: str
    rev: int
    type: str  # timer | message
    handler_type: str
    handler_cfg: str | None
    lock_owner: str | None
    lock_expiration: int | None
    due_date: int | None
    retries: int
    exception_message: str | None
    exception_stacktrace: str | None
    execution_id: str | None
    proc_inst_id: str | None
    proc_def_id: str | None
    proc_def_key: str | None
    activity_id: str | None
    job_def_id: str | None
    repeat: str | None
    priority: int
    exclusive: bool
    suspension_state: int
    tenant_id: str | None
    create_time: int
    failed_activity_id: str | None
    deployment_id: str | None


@entity("bf_job_definition")
class JobDefinition(Entity):
    id: str
    rev: int
    proc_def_id: str
    proc_def_key: str
    activity_id: str
    job_type: str
    job_configuration: str | None
    priority: int | None
    suspension_state: int
    tenant_id: str | None
    deployment_id: str | None


@entity("bf_external_task")
class ExternalTask(Entity):
    id: str
    rev: int
    topic_name: str
    worker_id: str | None
    lock_expiration: int | None
    retries: int | None
    error_message: str | None
    error_details: str | None
    execution_id: str
    proc_inst_id: str
    proc_def_id: str
    proc_def_key: str
    proc_def_version_tag: str | None
    activity_id: str
    activity_instance_id: str
    suspension_state: int
    priority: int
    business_key: str | None
    tenant_id: str | None
    create_time: int
    last_failure_log_id: str | None


@entity("bf_incident")
class Incident(Entity):
    id: str
    rev: int
    incident_type: str
    incident_message: str | None
    incident_timestamp: int
    execution_id: str | None
    activity_id: str | None
    failed_activity_id: str | None
    proc_inst_id: str | None
    proc_def_id: str | None
    cause_incident_id: str | None
    root_cause_incident_id: str | None
    configuration: str | None
    tenant_id: str | None
    job_def_id: str | None
    annotation: str | None


@entity("bf_hi_incident", versioned=False)
class HistoricIncident(Entity):
    id: str
    proc_def_key: str | None
    proc_def_id: str | None
    proc_inst_id: str | None
    execution_id: str | None
    create_time: int
    end_time: int | None
    incident_message: str | None
    incident_type: str
    activity_id: str | None
    failed_activity_id: str | None
    cause_incident_id: str | None
    root_cause_incident_id: str | None
    configuration: str | None
    history_configuration: str | None
    incident_state: int  # 0 open, 1 resolved, 2 deleted
    tenant_id: str | None
    job_def_id: str | None
    annotation: str | None
    removal_time: int | None
    root_proc_inst_id: str | None


@entity("bf_hi_job_log", versioned=False)
class HistoricJobLog(Entity):
    id: str
    timestamp: int
    job_id: str
    job_due_date: int | None
    job_retries: int | None
    job_priority: int | None
    job_exception_msg: str | None
    job_exception_stack: str | None
    job_state: int  # 0 created, 1 failed, 2 successful, 3 deleted
    job_def_id: str | None
    job_def_type: str | None
    job_def_configuration: str | None
    activity_id: str | None
    failed_activity_id: str | None
    execution_id: str | None
    proc_inst_id: str | None
    proc_def_id: str | None
    proc_def_key: str | None
    deployment_id: str | None
    tenant_id: str | None
    hostname: str | None
    removal_time: int | None
    root_proc_inst_id: str | None
    seq: int


@entity("bf_hi_ext_task_log", versioned=False)
class HistoricExternalTaskLog(Entity):
    id: str
    timestamp: int
    ext_task_id: str
    retries: int | None
    topic_name: str | None
    worker_id: str | None
    priority: int | None
    error_msg: str | None
    error_details: str | None
    activity_id: str | None
    activity_instance_id: str | None
    execution_id: str | None
    proc_inst_id: str | None
    proc_def_id: str | None
    proc_def_key: str | None
    tenant_id: str | None
    state: int  # 0 created, 1 failed, 2 successful, 3 deleted
    removal_time: int | None
    root_proc_inst_id: str | None
    seq: int


@entity("bf_batch")
class Batch(Entity):
    """A long-running operation over many items, executed by jobs in chunks."""

    id: str
    rev: int
    type: str
    total_jobs: int
    jobs_created: int
    batch_jobs_per_seed: int
    invocations_per_batch_job: int
    seed_job_def_id: str | None
    monitor_job_def_id: str | None
    batch_job_def_id: str | None
    configuration: str  # JSON: the items still to hand out and the operation's options
    suspension_state: int
    tenant_id: str | None
    create_user_id: str | None
    start_time: int
    execution_start_time: int | None


@entity("bf_hi_batch", versioned=False)
class HistoricBatch(Entity):
    id: str
    type: str
    total_jobs: int
    batch_jobs_per_seed: int
    invocations_per_batch_job: int
    seed_job_def_id: str | None
    monitor_job_def_id: str | None
    batch_job_def_id: str | None
    tenant_id: str | None
    create_user_id: str | None
    start_time: int
    end_time: int | None
    removal_time: int | None
    execution_start_time: int | None

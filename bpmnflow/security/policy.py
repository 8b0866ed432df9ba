"""THE policy: one rule for every route of the REST API, in one table, default deny.

Rules (what a caller who is not an administrator may do; administrators may call everything):

``open``      no credentials needed (what clients ask first to find the engine);
``user``      any authenticated user; the handler answers only about the caller
              (their own groups, profile, password, authorization checks, OPTIONS);
``read``      scoped read: lists and counts show only rows of workflows granted to the caller;
              a single row (named in the path) of another workflow is 404, as if absent;
``work``      scoped work: as ``read``, and the caller needs a working grant on the row's
              workflow (else 403): start, claim, complete, set variables, correlate…;
``admin``     administrators only (403 for everyone else);
``excluded``  administrators only: the product's exclusion list (deleting, suspending,
              restarting, modifying, migrating definitions and instances, deleting history,
              and every other path to the same effect), 403 whatever the caller holds.

A route with a resource in brackets names the row its first path parameter identifies, so
that the middleware can look up which workflow it belongs to (``key`` = the parameter is the
workflow key itself).  Paths are Camunda's, relative to ``/engine-rest``; the
``/engine-rest/engine/{name}/…`` aliases obey the same rules.  A route missing from the table
is denied to everyone but administrators, and a test fails for every route the server serves
without an entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPEN, USER, READ, WORK, ADMIN, EXCLUDED = "open", "user", "read", "work", "admin", "excluded"
KINDS = (OPEN, USER, READ, WORK, ADMIN, EXCLUDED)


@dataclass(frozen=True)
class Rule:
    kind: str
    resource: str | None = None  # the row that the first path parameter names

    def __str__(self) -> str:
        return f"{self.kind} ({self.resource})" if self.resource else self.kind


def _rules(text: str) -> dict[tuple[str, str], Rule]:
    """Parse the table: ``METHOD /path  kind [resource]`` per line."""
    table: dict[tuple[str, str], Rule] = {}
    for line in text.strip().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        method, path, kind, *resource = line.split()
        if kind not in KINDS:
            raise ValueError(f"unknown rule {kind!r} in {line!r}")
        key = (method, normalize(path))
        if key in table:
            raise ValueError(f"two rules for {method} {path}")
        table[key] = Rule(kind, resource[0] if resource else None)
    return table


_PARAM = re.compile(r"\{[^}]*\}")


def normalize(path: str) -> str:
    """Parameter names do not matter (``{tenant-id}`` here, ``{tenant_id}`` in a router)."""
    return _PARAM.sub("{}", path)


def _definition_variants(text: str) -> str:
    """``…/{id}`` routes also exist as ``key/{key}`` and ``key/{key}/tenant-id/{tenant-id}``."""
    out = []
    for line in text.strip().splitlines():
        method, path, kind, *resource = line.split()
        suffix = path.removeprefix("/process-definition/{id}")
        by_key = "key" if resource else ""
        out.append(line)
        out.append(f"{method} /process-definition/key/{{key}}{suffix} {kind} {by_key}")
        out.append(f"{method} /process-definition/key/{{key}}/tenant-id/{{tenant-id}}{suffix} "
                   f"{kind} {by_key}")
    return "\n".join(out)


DEFINITION_ROUTES = _definition_variants("""
GET    /process-definition/{id}                                   read definition
GET    /process-definition/{id}/xml                               read definition
GET    /process-definition/{id}/diagram                           read definition
GET    /process-definition/{id}/startForm                         read definition
GET    /process-definition/{id}/form-variables                    read definition
GET    /process-definition/{id}/rendered-form                     read definition
GET    /process-definition/{id}/deployed-start-form               read definition
GET    /process-definition/{id}/statistics                        read definition
GET    /process-definition/{id}/static-called-process-definitions read definition
POST   /process-definition/{id}/start                             work definition
POST   /process-definition/{id}/submit-form                       work definition
PUT    /process-definition/{id}/suspended                         excluded
PUT    /process-definition/{id}/history-time-to-live              excluded
POST   /process-definition/{id}/restart                           excluded
POST   /process-definition/{id}/restart-async                     excluded
""")

TABLE = DEFINITION_ROUTES + """
GET     /engine                                                    open
GET     /version                                                   open

# -- process definitions (and the by-key variants above) --
GET     /process-definition                                        read
GET     /process-definition/count                                  read
GET     /process-definition/statistics                             read
PUT     /process-definition/suspended                              excluded
DELETE  /process-definition/{id}                                   excluded
DELETE  /process-definition/key/{key}                              excluded
DELETE  /process-definition/key/{key}/delete                       excluded
DELETE  /process-definition/key/{key}/tenant-id/{tenant-id}        excluded
DELETE  /process-definition/key/{key}/tenant-id/{tenant-id}/delete excluded

# -- process instances --
GET     /process-instance                                          read
POST    /process-instance                                          read
GET     /process-instance/count                                    read
POST    /process-instance/count                                    read
POST    /process-instance/delete                                   excluded
POST    /process-instance/delete-historic-query-based              excluded
PUT     /process-instance/suspended                                excluded
POST    /process-instance/suspended-async                          excluded
POST    /process-instance/job-retries                              admin
POST    /process-instance/job-retries-historic-query-based         admin
POST    /process-instance/message-async                            admin
POST    /process-instance/variables-async                          admin
GET     /process-instance/{id}                                     read instance
DELETE  /process-instance/{id}                                     excluded
GET     /process-instance/{id}/activity-instances                  read instance
GET     /process-instance/{id}/comment                             read instance
PUT     /process-instance/{id}/comment                             work instance
DELETE  /process-instance/{id}/comment                             work instance
DELETE  /process-instance/{id}/comment/{commentId}                 work instance
POST    /process-instance/{id}/modification                        excluded
POST    /process-instance/{id}/modification-async                  excluded
PUT     /process-instance/{id}/suspended                           excluded
GET     /process-instance/{id}/variables                           read instance
POST    /process-instance/{id}/variables                           work instance
GET     /process-instance/{id}/variables/{varName}                 read instance
PUT     /process-instance/{id}/variables/{varName}                 work instance
DELETE  /process-instance/{id}/variables/{varName}                 work instance
GET     /process-instance/{id}/variables/{varName}/data            read instance
POST    /process-instance/{id}/variables/{varName}/data            work instance

# -- executions --
GET     /execution                                                 read
POST    /execution                                                 read
GET     /execution/count                                           read
POST    /execution/count                                           read
GET     /execution/{id}                                            read execution
POST    /execution/{id}/create-incident                            admin
POST    /execution/{id}/signal                                     work execution
GET     /execution/{id}/messageSubscriptions/{messageName}         read execution
POST    /execution/{id}/messageSubscriptions/{messageName}/trigger work execution
GET     /execution/{id}/localVariables                             read execution
POST    /execution/{id}/localVariables                             work execution
GET     /execution/{id}/localVariables/{varName}                   read execution
PUT     /execution/{id}/localVariables/{varName}                   work execution
DELETE  /execution/{id}/localVariables/{varName}                   work execution
GET     /execution/{id}/localVariables/{varName}/data              read execution
POST    /execution/{id}/localVariables/{varName}/data              work execution

# -- user tasks --
GET     /task                                                      read
POST    /task                                                      read
GET     /task/count                                                read
POST    /task/count                                                read
POST    /task/create                                               admin
GET     /task/report/candidate-group-count                         admin
GET     /task/{id}                                                 read task
PUT     /task/{id}                                                 work task
DELETE  /task/{id}                                                 admin
POST    /task/{id}/claim                                           work task
POST    /task/{id}/unclaim                                         work task
POST    /task/{id}/assignee                                        work task
POST    /task/{id}/delegate                                        work task
POST    /task/{id}/resolve                                         work task
POST    /task/{id}/complete                                        work task
POST    /task/{id}/submit-form                                     work task
POST    /task/{id}/bpmnError                                       work task
POST    /task/{id}/bpmnEscalation                                  work task
GET     /task/{id}/form                                            read task
GET     /task/{id}/deployed-form                                   read task
GET     /task/{id}/rendered-form                                   read task
GET     /task/{id}/form-variables                                  read task
GET     /task/{id}/identity-links                                  read task
POST    /task/{id}/identity-links                                  work task
POST    /task/{id}/identity-links/delete                           work task
GET     /task/{id}/attachment                                      read task
POST    /task/{id}/attachment/create                               work task
GET     /task/{id}/attachment/{attachmentId}                       read task
DELETE  /task/{id}/attachment/{attachmentId}                       work task
GET     /task/{id}/attachment/{attachmentId}/data                  read task
GET     /task/{id}/comment                                         read task
PUT     /task/{id}/comment                                         work task
DELETE  /task/{id}/comment                                         work task
POST    /task/{id}/comment/create                                  work task
GET     /task/{id}/comment/{commentId}                             read task
DELETE  /task/{id}/comment/{commentId}                             work task
GET     /task/{id}/variables                                       read task
POST    /task/{id}/variables                                       work task
GET     /task/{id}/variables/{varName}                             read task
PUT     /task/{id}/variables/{varName}                             work task
DELETE  /task/{id}/variables/{varName}                             work task
GET     /task/{id}/variables/{varName}/data                        read task
POST    /task/{id}/variables/{varName}/data                        work task
GET     /task/{id}/localVariables                                  read task
POST    /task/{id}/localVariables                                  work task
GET     /task/{id}/localVariables/{varName}                        read task
PUT     /task/{id}/localVariables/{varName}                        work task
DELETE  /task/{id}/localVariables/{varName}                        work task
GET     /task/{id}/localVariables/{varName}/data                   read task
POST    /task/{id}/localVariables/{varName}/data                   work task

# -- variable instances --
GET     /variable-instance                                         read
POST    /variable-instance                                         read
GET     /variable-instance/count                                   read
POST    /variable-instance/count                                   read
GET     /variable-instance/{id}                                    read variable
GET     /variable-instance/{id}/data                               read variable

# -- messages, signals, conditions --
POST    /message                                                   work
POST    /signal                                                    work
POST    /condition                                                 admin

# -- external tasks (workers) --
GET     /external-task                                             read
POST    /external-task                                             read
GET     /external-task/count                                       read
POST    /external-task/count                                       read
POST    /external-task/fetchAndLock                                work
GET     /external-task/topic-names                                 read
PUT     /external-task/retries                                     admin
POST    /external-task/retries-async                               admin
GET     /external-task/{id}                                        read external_task
GET     /external-task/{id}/errorDetails                           read external_task
POST    /external-task/{id}/complete                               work external_task
POST    /external-task/{id}/failure                                work external_task
POST    /external-task/{id}/bpmnError                              work external_task
POST    /external-task/{id}/extendLock                             work external_task
POST    /external-task/{id}/lock                                   work external_task
POST    /external-task/{id}/unlock                                 work external_task
PUT     /external-task/{id}/retries                                admin
PUT     /external-task/{id}/priority                               admin

# -- jobs, job definitions, incidents, event subscriptions --
GET     /job                                                       read
POST    /job                                                       read
GET     /job/count                                                 read
POST    /job/count                                                 read
POST    /job/retries                                               admin
PUT     /job/suspended                                             excluded
GET     /job/{id}                                                  read job
DELETE  /job/{id}                                                  excluded
GET     /job/{id}/stacktrace                                       read job
PUT     /job/{id}/suspended                                        excluded
PUT     /job/{id}/duedate                                          admin
POST    /job/{id}/duedate/recalculate                              admin
POST    /job/{id}/execute                                          admin
PUT     /job/{id}/priority                                         admin
PUT     /job/{id}/retries                                          admin
GET     /job-definition                                            read
POST    /job-definition                                            read
GET     /job-definition/count                                      read
POST    /job-definition/count                                      read
PUT     /job-definition/suspended                                  excluded
GET     /job-definition/{id}                                       read job_definition
PUT     /job-definition/{id}/suspended                             excluded
PUT     /job-definition/{id}/jobPriority                           admin
PUT     /job-definition/{id}/retries                               admin
GET     /incident                                                  read
GET     /incident/count                                            read
GET     /incident/{id}                                             read incident
DELETE  /incident/{id}                                             admin
PUT     /incident/{id}/annotation                                  admin
DELETE  /incident/{id}/annotation                                  admin
GET     /event-subscription                                        read
GET     /event-subscription/count                                  read

# -- batches, migration, modification --
GET     /batch                                                     admin
GET     /batch/count                                               admin
GET     /batch/statistics                                          admin
GET     /batch/statistics/count                                    admin
GET     /batch/{id}                                                admin
DELETE  /batch/{id}                                                excluded
PUT     /batch/{id}/suspended                                      admin
POST    /migration/generate                                        excluded
POST    /migration/validate                                        excluded
POST    /migration/execute                                         excluded
POST    /migration/executeAsync                                    excluded
POST    /modification/execute                                      excluded
POST    /modification/executeAsync                                 excluded

# -- deployments, decisions --
GET     /deployment                                                admin
GET     /deployment/count                                          admin
POST    /deployment/create                                         admin
GET     /deployment/registered                                     admin
GET     /deployment/{id}                                           admin
DELETE  /deployment/{id}                                           excluded
POST    /deployment/{id}/redeploy                                  admin
GET     /deployment/{id}/resources                                 admin
GET     /deployment/{id}/resources/{resourceId}                    admin
GET     /deployment/{id}/resources/{resourceId}/data               admin
GET     /decision-definition                                       admin
GET     /decision-definition/count                                 admin
GET     /decision-definition/{id}                                  admin
GET     /decision-definition/{id}/diagram                          admin
GET     /decision-definition/{id}/xml                              admin
POST    /decision-definition/{id}/evaluate                         admin
PUT     /decision-definition/{id}/history-time-to-live             admin
GET     /decision-definition/key/{key}                             admin
GET     /decision-definition/key/{key}/diagram                     admin
GET     /decision-definition/key/{key}/xml                         admin
POST    /decision-definition/key/{key}/evaluate                    admin
PUT     /decision-definition/key/{key}/history-time-to-live        admin
GET     /decision-definition/key/{key}/tenant-id/{tenant-id}       admin
GET     /decision-definition/key/{key}/tenant-id/{tenant-id}/diagram admin
GET     /decision-definition/key/{key}/tenant-id/{tenant-id}/xml   admin
POST    /decision-definition/key/{key}/tenant-id/{tenant-id}/evaluate admin
PUT     /decision-definition/key/{key}/tenant-id/{tenant-id}/history-time-to-live admin
GET     /decision-requirements-definition                          admin
GET     /decision-requirements-definition/count                    admin
GET     /decision-requirements-definition/{id}                     admin
GET     /decision-requirements-definition/{id}/diagram             admin
GET     /decision-requirements-definition/{id}/xml                 admin
GET     /decision-requirements-definition/key/{key}                admin
GET     /decision-requirements-definition/key/{key}/diagram        admin
GET     /decision-requirements-definition/key/{key}/xml            admin
GET     /decision-requirements-definition/key/{key}/tenant-id/{tenant-id} admin
GET     /decision-requirements-definition/key/{key}/tenant-id/{tenant-id}/diagram admin
GET     /decision-requirements-definition/key/{key}/tenant-id/{tenant-id}/xml admin

# -- history --
GET     /history/process-instance                                  read
POST    /history/process-instance                                  read
GET     /history/process-instance/count                            read
POST    /history/process-instance/count                            read
POST    /history/process-instance/delete                           excluded
POST    /history/process-instance/set-removal-time                 excluded
GET     /history/process-instance/report                           admin
GET     /history/process-instance/{id}                             read historic_instance
DELETE  /history/process-instance/{id}                             excluded
DELETE  /history/process-instance/{id}/variable-instances          excluded
GET     /history/activity-instance                                 read
POST    /history/activity-instance                                 read
GET     /history/activity-instance/count                           read
POST    /history/activity-instance/count                           read
GET     /history/activity-instance/{id}                            read historic_activity
GET     /history/task                                              read
POST    /history/task                                              read
GET     /history/task/count                                        read
POST    /history/task/count                                        read
GET     /history/task/report                                       admin
GET     /history/variable-instance                                 read
POST    /history/variable-instance                                 read
GET     /history/variable-instance/count                           read
POST    /history/variable-instance/count                           read
GET     /history/variable-instance/{id}                            read historic_variable
DELETE  /history/variable-instance/{id}                            excluded
GET     /history/variable-instance/{id}/data                       read historic_variable
GET     /history/detail                                            read
POST    /history/detail                                            read
GET     /history/detail/count                                      read
GET     /history/detail/{id}                                       read historic_detail
GET     /history/detail/{id}/data                                  read historic_detail
GET     /history/incident                                          read
GET     /history/incident/count                                    read
GET     /history/job-log                                           read
POST    /history/job-log                                           read
GET     /history/job-log/count                                     read
POST    /history/job-log/count                                     read
GET     /history/job-log/{id}                                      read job_log
GET     /history/job-log/{id}/stacktrace                           read job_log
GET     /history/external-task-log                                 read
POST    /history/external-task-log                                 read
GET     /history/external-task-log/count                           read
POST    /history/external-task-log/count                           read
GET     /history/external-task-log/{id}                            read external_task_log
GET     /history/external-task-log/{id}/error-details              read external_task_log
GET     /history/identity-link-log                                 read
GET     /history/identity-link-log/count                           read
GET     /history/user-operation                                    read
GET     /history/user-operation/count                              read
PUT     /history/user-operation/{operationId}/set-annotation       admin
PUT     /history/user-operation/{operationId}/clear-annotation     admin
GET     /history/process-definition/{id}/statistics                read definition
GET     /history/process-definition/cleanable-process-instance-report admin
GET     /history/process-definition/cleanable-process-instance-report/count admin
GET     /history/batch                                             admin
GET     /history/batch/count                                       admin
GET     /history/batch/{id}                                        admin
DELETE  /history/batch/{id}                                        excluded
POST    /history/batch/set-removal-time                            excluded
GET     /history/batch/cleanable-batch-report                      admin
GET     /history/batch/cleanable-batch-report/count                admin
POST    /history/cleanup                                           excluded
GET     /history/cleanup/configuration                             admin
GET     /history/cleanup/job                                       admin
GET     /history/cleanup/jobs                                      admin
GET     /history/decision-instance                                 admin
GET     /history/decision-instance/count                           admin
GET     /history/decision-instance/{id}                            admin
POST    /history/decision-instance/delete                          excluded
POST    /history/decision-instance/set-removal-time                excluded
GET     /history/decision-definition/cleanable-decision-instance-report admin
GET     /history/decision-definition/cleanable-decision-instance-report/count admin
GET     /history/decision-requirements-definition/{id}/statistics  admin

# -- identity: users, permission sets (groups), tenants, authorizations --
GET     /identity/groups                                           user
POST    /identity/verify                                           admin
GET     /identity/password-policy                                  user
POST    /identity/password-policy                                  user
GET     /user                                                      admin
OPTIONS /user                                                      user
GET     /user/count                                                admin
POST    /user/create                                               admin
DELETE  /user/{id}                                                 admin
OPTIONS /user/{id}                                                 user
GET     /user/{id}/profile                                         user
PUT     /user/{id}/profile                                         user
PUT     /user/{id}/credentials                                     user
POST    /user/{id}/unlock                                          admin
GET     /group                                                     admin
POST    /group                                                     admin
OPTIONS /group                                                     user
GET     /group/count                                               admin
POST    /group/count                                               admin
POST    /group/create                                              admin
GET     /group/{id}                                                admin
PUT     /group/{id}                                                admin
DELETE  /group/{id}                                                admin
OPTIONS /group/{id}                                                user
OPTIONS /group/{id}/members                                        user
PUT     /group/{id}/members/{userId}                               admin
DELETE  /group/{id}/members/{userId}                               admin
GET     /permission-set/{id}/includes                              admin
OPTIONS /permission-set/{id}/includes                              user
PUT     /permission-set/{id}/includes/{includedId}                 admin
DELETE  /permission-set/{id}/includes/{includedId}                 admin
GET     /tenant                                                    admin
OPTIONS /tenant                                                    user
GET     /tenant/count                                              admin
POST    /tenant/create                                             admin
GET     /tenant/{id}                                               admin
PUT     /tenant/{id}                                               admin
DELETE  /tenant/{id}                                               admin
OPTIONS /tenant/{id}                                               user
OPTIONS /tenant/{id}/user-members                                  user
PUT     /tenant/{id}/user-members/{userId}                         admin
DELETE  /tenant/{id}/user-members/{userId}                         admin
OPTIONS /tenant/{id}/group-members                                 user
PUT     /tenant/{id}/group-members/{groupId}                       admin
DELETE  /tenant/{id}/group-members/{groupId}                       admin
GET     /authorization                                             admin
OPTIONS /authorization                                             user
GET     /authorization/count                                       admin
GET     /authorization/check                                       user
POST    /authorization/create                                      admin
GET     /authorization/{id}                                        admin
PUT     /authorization/{id}                                        admin
DELETE  /authorization/{id}                                        admin
OPTIONS /authorization/{id}                                        user

# -- filters (Tasklist), metrics, telemetry, schema --
GET     /filter                                                    read
OPTIONS /filter                                                    user
GET     /filter/count                                              read
POST    /filter/create                                             admin
GET     /filter/{id}                                               read
PUT     /filter/{id}                                               admin
DELETE  /filter/{id}                                               admin
OPTIONS /filter/{id}                                               user
GET     /filter/{id}/list                                          read
POST    /filter/{id}/list                                          read
GET     /filter/{id}/count                                         read
POST    /filter/{id}/count                                         read
GET     /filter/{id}/singleResult                                  read
POST    /filter/{id}/singleResult                                  read
GET     /metrics                                                   admin
GET     /metrics/{metrics-name}/sum                                admin
DELETE  /metrics/task-worker                                       admin
GET     /telemetry/configuration                                   admin
POST    /telemetry/configuration                                   admin
GET     /telemetry/data                                            admin
GET     /schema/log                                                admin
POST    /schema/log                                                admin
"""

RULES = _rules(TABLE)


def rule_for(method: str, path: str) -> Rule | None:
    """The rule of a route template (as a router declares it); None = no entry (deny)."""
    return RULES.get((method, normalize(path)))


def markdown() -> str:
    """The table as the README prints it (a test keeps the two identical)."""
    lines = ["| Method | Path (under `/engine-rest`) | Rule |", "|---|---|---|"]
    for line in TABLE.strip().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            method, path, kind, *resource = line.split()
            rule = f"{kind} ({resource[0]})" if resource else kind
            lines.append(f"| {method} | `{path}` | {rule} |")
    return "\n".join(lines)

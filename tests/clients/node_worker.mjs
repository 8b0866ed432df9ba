// Camunda's Node.js external task client (camunda-external-task-client-js), used as its
// documentation shows, working the topics of scenario.py until it is stopped.
//
// Usage: BPMNFLOW_URL=http://127.0.0.1:PORT/engine-rest node node_worker.mjs
import { Client, Variables } from "camunda-external-task-client-js";

const client = new Client({
  baseUrl: process.env.BPMNFLOW_URL,
  workerId: "node-worker",
  maxTasks: 5,
  lockDuration: 10000,
  asyncResponseTimeout: 5000, // long polling: woken by the server when tasks appear
  interval: 50,
});

// complete with values of several types (the client names them in lower case) and one local
client.subscribe("charge", async ({ task, taskService }) => {
  await taskService.extendLock(task, 20000);
  const amount = task.variables.get("amount");
  const variables = new Variables()
    .set("status", "paid")
    .set("count", 3)
    .set("ratio", 0.5)
    .set("ok", true)
    .set("total", amount * 2)
    .set("meta", { by: "node" })
    .set("big", 2 ** 40)
    .set("when", new Date(Date.UTC(2026, 0, 31, 12, 0, 0)))
    .set("nothing", null);
  const local = new Variables().set("scratch", "local to the activity");
  await taskService.complete(task, variables, local);
});

// fail until the retries the worker counts down are gone
client.subscribe("flaky", async ({ task, taskService }) => {
  const retries = task.retries === null ? 2 : task.retries - 1;
  await taskService.handleFailure(task, {
    errorMessage: "boom", errorDetails: "stack", retries, retryTimeout: 200,
  });
});

// caught by the INVALID_IMAGE boundary event
client.subscribe("VALIDATE_IMAGE", async ({ task, taskService }) => {
  const variables = new Variables().set("checked_by", "node");
  await taskService.handleBpmnError(task, "INVALID_IMAGE", "blurry", variables);
});

client.subscribe("REJECT_IMAGE", async ({ task, taskService }) => {
  await taskService.complete(task);
});

for (const event of ["poll:error", "complete:error", "handleFailure:error",
                     "handleBpmnError:error", "extendLock:error", "handler:error"]) {
  client.on(event, (...args) => console.error(event, ...args.map(String)));
}
client.on("complete:success", (task) => console.log("completed", task.topicName));
process.on("SIGTERM", () => { client.stop(); process.exit(0); });

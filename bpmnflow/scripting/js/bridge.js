// The bridge between a script and the engine, inside the sandbox.  The engine sends one JSON
// document (variables, execution facts, task facts, connector values); the script works on
// that snapshot through objects shaped like Camunda's (execution, task, connector); every
// change is recorded and returned with the result as one JSON document, which the engine then
// applies.  Nothing in the sandbox can call the engine, the file system or the network.
(function () {
  "use strict";
  const spin = globalThis.__spin;
  const nativeJSON = JSON;
  const INT_MAX = 9223372036854775807;

  // Capabilities the embedding adds to a bare V8 isolate: gone before any script runs.
  for (const name of ["setTimeout", "clearTimeout", "__timer_manager", "WebAssembly",
    "SharedArrayBuffer", "Atomics", "FinalizationRegistry", "WeakRef"]) {
    try { delete globalThis[name]; } catch (e) { /* not configurable */ }
    if (name in globalThis) globalThis[name] = undefined;  // declared with var: blank it
  }
  const noop = () => undefined;
  globalThis.console = Object.freeze({ log: noop, info: noop, warn: noop, error: noop, debug: noop });

  function decode(pair) {
    const [kind, v] = pair;
    if (kind === "json") return new spin.SpinJson(nativeJSON.parse(v));
    if (kind === "xml") return spin.S(v, "xml");
    if (kind === "date") return new Date(v);
    if (kind === "bytes") return Uint8Array.from(v);
    if (kind === "number") return Number(v);
    return v;
  }
  function encode(v) {
    if (v === undefined || v === null) return ["null", null];
    if (v instanceof spin.SpinJson) return ["json", v.toString()];
    if (v instanceof spin.SpinXml) return ["xml", v.toString()];
    if (v instanceof Date) return ["date", v.getTime()];
    if (v instanceof Uint8Array) return ["bytes", Array.from(v)];
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return ["number", String(v)];
      return Number.isInteger(v) && Math.abs(v) <= INT_MAX ? ["int", v] : ["double", v];
    }
    if (typeof v === "string" || typeof v === "boolean") return ["value", v];
    if (typeof v === "bigint") return ["int", String(v)];
    if (typeof v === "function" || typeof v === "symbol") return ["null", null];
    return ["object", nativeJSON.stringify(v, (k, x) => (typeof x === "bigint" ? String(x) : x))];
  }
  function decodeMap(m) {
    const out = new Map();
    for (const k of Object.keys(m || {})) out.set(k, decode(m[k]));
    return out;
  }

  class BpmnError extends Error {
    constructor(code, message) {
      super(message === undefined || message === null ? "BPMN error " + code : String(message));
      this.name = "BpmnError";
      this.code = code === undefined || code === null ? "" : String(code);
      this.bpmnMessage = message === undefined || message === null ? null : String(message);
    }
    getErrorCode() { return this.code; }
  }

  function makeExecution(facts, state) {
    const v = state.vars;
    const locals = state.locals;
    const op = (...args) => state.ops.push(args);
    const exe = {
      getVariable: (n) => (v.has(n) ? v.get(n) : null),
      getVariableLocal: (n) => (locals.has(n) ? locals.get(n) : null),
      getVariableTyped: (n) => (v.has(n) ? v.get(n) : null),
      hasVariable: (n) => v.has(n),
      hasVariableLocal: (n) => locals.has(n),
      hasVariables: () => v.size > 0,
      getVariables: () => Object.fromEntries(v),
      getVariablesLocal: () => Object.fromEntries(locals),
      getVariableNames: () => spin.spinList([...v.keys()]),
      getVariableNamesLocal: () => spin.spinList([...locals.keys()]),
      setVariable(n, x) {
        n = String(n);
        v.set(n, x);
        if (locals.has(n)) locals.set(n, x);
        op("execution", "set", n, encode(x));
      },
      setVariableLocal(n, x) { n = String(n); v.set(n, x); locals.set(n, x); op("execution", "setLocal", n, encode(x)); },
      setVariables(map) { for (const k of Object.keys(map || {})) exe.setVariable(k, map[k]); },
      removeVariable(n) { v.delete(n); locals.delete(n); op("execution", "remove", String(n)); },
      removeVariableLocal(n) { if (locals.has(n)) { locals.delete(n); v.delete(n); } op("execution", "removeLocal", String(n)); },
      setProcessBusinessKey(k) { facts.businessKey = k === null || k === undefined ? null : String(k); op("execution", "businessKey", facts.businessKey); },
      getProcessInstance: () => exe,
    };
    const props = {
      id: "id", processInstanceId: "processInstanceId", processBusinessKey: "businessKey",
      businessKey: "businessKey", processDefinitionId: "processDefinitionId",
      activityInstanceId: "activityInstanceId", currentActivityId: "activityId",
      activityId: "activityId", currentActivityName: "activityName", parentId: "parentId",
      tenantId: "tenantId", eventName: "eventName", currentTransitionId: "transitionId",
    };
    for (const [prop, key] of Object.entries(props)) {
      Object.defineProperty(exe, prop, { get: () => facts[key], enumerable: true });
      exe["get" + prop[0].toUpperCase() + prop.slice(1)] = () => facts[key];
    }
    Object.defineProperty(exe, "variables", { get: () => Object.fromEntries(v) });
    return Object.freeze(exe);
  }

  function makeTask(facts, state, execution) {
    const taskLocals = state.taskLocals;
    const op = (...args) => state.ops.push(args);
    const task = {
      getVariable: (n) => (taskLocals.has(n) ? taskLocals.get(n) : execution.getVariable(n)),
      getVariableLocal: (n) => (taskLocals.has(n) ? taskLocals.get(n) : null),
      hasVariable: (n) => taskLocals.has(n) || execution.hasVariable(n),
      hasVariableLocal: (n) => taskLocals.has(n),
      getVariables: () => Object.assign(execution.getVariables(), Object.fromEntries(taskLocals)),
      getVariablesLocal: () => Object.fromEntries(taskLocals),
      setVariable(n, x) {
        n = String(n);
        if (taskLocals.has(n)) { taskLocals.set(n, x); op("task", "setLocal", n, encode(x)); }
        else { state.vars.set(n, x); op("task", "set", n, encode(x)); }
      },
      setVariableLocal(n, x) { n = String(n); taskLocals.set(n, x); op("task", "setLocal", n, encode(x)); },
      getExecution: () => execution,
    };
    const fields = {
      id: false, name: true, description: true, assignee: true, owner: true, priority: true,
      taskDefinitionKey: false, processInstanceId: false, executionId: false,
      processDefinitionId: false, eventName: false, tenantId: false, dueDate: true,
      followUpDate: true, createTime: false,
    };
    for (const [prop, writable] of Object.entries(fields)) {
      const cap = prop[0].toUpperCase() + prop.slice(1);
      const read = () => (facts[prop] !== null && facts[prop] !== undefined && (prop === "dueDate" || prop === "followUpDate" || prop === "createTime") ? new Date(facts[prop]) : facts[prop]);
      task["get" + cap] = read;
      if (writable) {
        task["set" + cap] = (x) => {
          const value = x instanceof Date ? x.getTime() : x === undefined ? null : x;
          facts[prop] = value;
          op("task", "field", prop, encode(value));
        };
      }
      Object.defineProperty(task, prop, { get: read, enumerable: true });
    }
    return Object.freeze(task);
  }

  function makeConnector(values, execution) {
    const own = values;
    return Object.freeze({
      getVariable: (n) => (own.has(n) ? own.get(n) : execution.getVariable(n)),
      getVariableLocal: (n) => (own.has(n) ? own.get(n) : null),
      hasVariable: (n) => own.has(n) || execution.hasVariable(n),
      getVariables: () => Object.assign(execution.getVariables(), Object.fromEntries(own)),
      setVariable: (n, x) => { own.set(String(n), x); },
      setVariableLocal: (n, x) => { own.set(String(n), x); },
    });
  }

  const GLOBAL_NAMES = new Set(Object.getOwnPropertyNames(globalThis));
  const BUILTINS = ["execution", "task", "connector", "S", "JSON", "XML", "BpmnError", "org",
    "eval", "arguments", "undefined", "__src", "__scope", "__b"];

  // Process variables are script globals, as in Camunda; they never hide the script's own
  // objects or the language's built-ins, and assigning one only changes it inside the script.
  function variableScope(lookups) {
    const overlay = new Map();
    const known = (k) => typeof k === "string" && !BUILTINS.includes(k) && !GLOBAL_NAMES.has(k)
      && (overlay.has(k) || lookups.some((m) => m.has(k)));
    return new Proxy(Object.create(null), {
      has: (t, k) => known(k),
      get(t, k) {
        if (k === Symbol.unscopables || !known(k)) return undefined;
        if (overlay.has(k)) return overlay.get(k);
        const m = lookups.find((x) => x.has(k));
        return m.get(k);
      },
      set(t, k, x) { overlay.set(k, x); return true; },
      deleteProperty(t, k) { overlay.delete(k); return true; },
    });
  }

  const runner = new Function("__src", "__scope", "__b",
    "with (__b) { with (__scope) { return eval(__src); } }");

  globalThis.__run = function (input) {
    const req = nativeJSON.parse(input);
    const state = { vars: decodeMap(req.variables), locals: decodeMap(req.locals),
      taskLocals: decodeMap(req.taskLocals), ops: [] };
    const execution = makeExecution(req.execution || {}, state);
    const b = { execution, S: spin.S, JSON: spin.JSON, XML: spin.XML, BpmnError,
      org: { camunda: { bpm: { engine: { delegate: { BpmnError } } } } } };
    const lookups = [];
    if (req.task) {
      b.task = makeTask(req.task, state, execution);
      lookups.push(state.taskLocals);
    }
    if (req.connector) {
      const own = decodeMap(req.connector);
      b.connector = makeConnector(own, execution);
      lookups.push(own);
    }
    lookups.push(state.vars);
    let result;
    try {
      result = runner(req.source, variableScope(lookups), Object.freeze(b));
    } catch (e) {
      if (e instanceof BpmnError) {
        return nativeJSON.stringify({ bpmnError: { code: e.code, message: e.bpmnMessage }, ops: state.ops });
      }
      const text = e instanceof Error ? e.name + ": " + e.message : "thrown value " + String(e);
      return nativeJSON.stringify({ error: text });
    }
    return nativeJSON.stringify({ result: encode(result), ops: state.ops });
  };
})();

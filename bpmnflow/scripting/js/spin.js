// Camunda Spin's S(), JSON() and XML() for scripts: the same subset as the Python nodes
// (bpmnflow/scripting/spin), written for the sandbox, which has no way to call back into
// Python.  Defines globalThis.__spin; nothing here touches anything outside the isolate.
(function () {
  "use strict";
  const nativeJSON = JSON;

  function SpinError(message) { const e = new Error(message); e.name = "SpinError"; return e; }

  // Lists come back as JS arrays that also answer the java.util.List calls scripts written
  // for Nashorn make (size(), get(i), isEmpty(), contains()).
  function spinList(items) {
    const defs = {
      size: () => items.length, get: (i) => items[i], isEmpty: () => items.length === 0,
      contains: (v) => items.includes(v),
    };
    for (const k of Object.keys(defs)) {
      Object.defineProperty(items, k, { value: defs[k], enumerable: false });
    }
    return items;
  }

  function kindOf(v) {
    if (v === null || v === undefined) return "NULL";
    if (Array.isArray(v)) return "ARRAY";
    if (typeof v === "object") return "OBJECT";
    return { string: "STRING", number: "NUMBER", boolean: "BOOLEAN" }[typeof v] || "UNKNOWN";
  }

  function plain(v) {
    if (v instanceof SpinJson) return v.data;
    if (Array.isArray(v)) return v.map(plain);
    if (v instanceof Date) return v.toISOString();
    if (v && typeof v === "object" && !(v instanceof SpinXml)) {
      const o = {};
      for (const k of Object.keys(v)) o[k] = plain(v[k]);
      return o;
    }
    return v;
  }

  // ---------------------------------------------------------------- JSONPath (subset)
  function tokenize(text) {
    const re = /\s+|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\.\.|==|!=|<=|>=|&&|\|\||[$@.\[\]*:,()?<>!])|([A-Za-z_\-][\w\-]*)/y;
    const out = [];
    let pos = 0;
    while (pos < text.length) {
      re.lastIndex = pos;
      const m = re.exec(text);
      if (!m) throw SpinError("SPIN/JACKSON-JSON-01004 Invalid json path '" + text + "' at " + pos);
      pos = re.lastIndex;
      if (m[1] !== undefined) out.push(["lit", Number(m[1])]);
      else if (m[2] !== undefined) out.push(["lit", m[2].slice(1, -1).replace(/\\(.)/g, "$1")]);
      else if (m[3] !== undefined) out.push(["op", m[3]]);
      else if (m[4] !== undefined) out.push(["name", m[4]]);
    }
    out.push(["end", null]);
    return out;
  }

  function compilePath(text) {
    const toks = tokenize(text.trim());
    let pos = 0;
    const peek = () => toks[pos];
    const take = (v) => {
      const t = toks[pos];
      if (v !== undefined && t[1] !== v) {
        throw SpinError("SPIN/JACKSON-JSON-01004 Invalid json path '" + text + "': expected '" + v + "'");
      }
      pos++;
      return t;
    };
    const bad = () => SpinError("SPIN/JACKSON-JSON-01004 Invalid json path '" + text + "'");
    function path(start) {
      take(start);
      const steps = [];
      for (;;) {
        const v = peek()[1];
        if (v === "..") { take(); steps.push(["deep"]); steps.push(dotted()); }
        else if (v === ".") { take(); steps.push(dotted()); }
        else if (v === "[") steps.push(bracket());
        else return steps;
      }
    }
    function dotted() {
      const t = take();
      if (t[1] === "*") return ["wild"];
      if (t[0] !== "name") throw bad();
      return ["names", [t[1]]];
    }
    function bracket() {
      take("[");
      const t = peek();
      let step;
      if (t[1] === "*") { take(); step = ["wild"]; }
      else if (t[1] === "?") { take(); take("("); step = ["filter", expr()]; take(")"); }
      else if (t[0] === "lit" && typeof t[1] === "string") {
        const names = [take()[1]];
        while (peek()[1] === ",") { take(); names.push(take()[1]); }
        step = ["names", names];
      } else step = index();
      take("]");
      return step;
    }
    function index() {
      const start = peek()[0] === "lit" ? take()[1] : null;
      if (peek()[1] !== ":") {
        if (typeof start !== "number" || !Number.isInteger(start)) throw bad();
        const idx = [start];
        while (peek()[1] === ",") { take(); idx.push(take()[1]); }
        return ["index", idx];
      }
      take(":");
      const end = peek()[0] === "lit" ? take()[1] : null;
      return ["slice", [start, end]];
    }
    function expr() {
      let left = conj();
      while (peek()[1] === "||") { take(); left = ["or", left, conj()]; }
      return left;
    }
    function conj() {
      let left = unary();
      while (peek()[1] === "&&") { take(); left = ["and", left, unary()]; }
      return left;
    }
    function unary() {
      if (peek()[1] === "!") { take(); return ["not", unary()]; }
      if (peek()[1] === "(") { take(); const inner = expr(); take(")"); return inner; }
      const left = operand();
      if (["==", "!=", "<", "<=", ">", ">="].includes(peek()[1])) {
        const op = take()[1];
        return ["cmp", op, left, operand()];
      }
      return ["exists", left];
    }
    function operand() {
      const t = peek();
      if (t[1] === "@" || t[1] === "$") return ["path", t[1], path(t[1])];
      take();
      if (t[0] === "lit") return ["lit", t[1]];
      if (t[0] === "name") {
        return ["lit", { true: true, false: false, null: null }.hasOwnProperty(t[1]) ? { true: true, false: false, null: null }[t[1]] : t[1]];
      }
      throw bad();
    }
    const steps = path("$");
    if (peek()[0] !== "end") throw bad();
    const definite = steps.every((s) => (s[0] === "names" || s[0] === "index") && s[1].length === 1);
    return [steps, definite];
  }

  const MISSING = {};
  function descendants(v) {
    const out = [v];
    const kids = Array.isArray(v) ? v : v !== null && typeof v === "object" ? Object.values(v) : [];
    for (const k of kids) out.push(...descendants(k));
    return out;
  }
  function walk(current, steps, root) {
    let deep = false;
    for (const [kind, arg] of steps) {
      if (kind === "deep") { deep = true; continue; }
      const pool = deep ? current.flatMap(descendants) : current;
      deep = false;
      current = pool.flatMap((v) => step(v, kind, arg, root));
    }
    return current;
  }
  function isObj(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }
  function step(v, kind, arg, root) {
    if (kind === "names") return isObj(v) ? arg.filter((n) => Object.prototype.hasOwnProperty.call(v, n)).map((n) => v[n]) : [];
    if (kind === "wild") return Array.isArray(v) ? v.slice() : isObj(v) ? Object.values(v) : [];
    if (!Array.isArray(v)) return [];
    if (kind === "index") {
      return arg.filter((i) => Number.isInteger(i) && i >= -v.length && i < v.length).map((i) => v[i < 0 ? v.length + i : i]);
    }
    if (kind === "slice") {
      const [s, e] = arg;
      return v.slice(s === null ? undefined : s, e === null ? undefined : e);
    }
    return v.filter((item) => truthy(evalFilter(arg, item, root)));
  }
  function truthy(x) { return x !== MISSING && x !== null && x !== false && x !== undefined; }
  function evalFilter(node, cur, root) {
    switch (node[0]) {
      case "lit": return node[1];
      case "path": { const f = walk([node[1] === "@" ? cur : root], node[2], root); return f.length ? f[0] : MISSING; }
      case "exists": return evalFilter(node[1], cur, root) !== MISSING;
      case "not": return !truthy(evalFilter(node[1], cur, root));
      case "and": return truthy(evalFilter(node[1], cur, root)) && truthy(evalFilter(node[2], cur, root));
      case "or": return truthy(evalFilter(node[1], cur, root)) || truthy(evalFilter(node[2], cur, root));
      default: return compare(node[1], evalFilter(node[2], cur, root), evalFilter(node[3], cur, root));
    }
  }
  function compare(op, l, r) {
    if (l === MISSING || r === MISSING) return op === "!=" && (l === MISSING) !== (r === MISSING);
    const numbers = typeof l === "number" && typeof r === "number";
    if (op === "==" || op === "!=") {
      const same = (numbers || typeof l === typeof r) && (typeof l === "object" ? nativeJSON.stringify(l) === nativeJSON.stringify(r) : l === r);
      return op === "==" ? same : !same;
    }
    if (!(numbers || (typeof l === "string" && typeof r === "string"))) return false;
    return { "<": l < r, "<=": l <= r, ">": l > r, ">=": l >= r }[op];
  }
  function jsonQuery(root, text) {
    const [steps, definite] = compilePath(String(text));
    const found = walk([root], steps, root);
    if (definite) {
      if (!found.length) throw SpinError("SPIN/JACKSON-JSON-01017 Unable to find json path '" + text + "'");
      return found[0];
    }
    return found;
  }

  // ---------------------------------------------------------------- JSON nodes
  class SpinJson {
    constructor(data) { this.data = data; }
    prop(name, value) {
      const obj = this._object("get property '" + name + "'");
      if (arguments.length > 1) { obj[name] = plain(value); return this; }
      if (!Object.prototype.hasOwnProperty.call(obj, name)) throw SpinError("SPIN/JACKSON-JSON-01004 Unable to find '" + name + "'");
      return new SpinJson(obj[name]);
    }
    hasProp(name) { return isObj(this.data) && Object.prototype.hasOwnProperty.call(this.data, name); }
    deleteProp(name) {
      const obj = this._object("delete property '" + name + "'");
      for (const key of Array.isArray(name) ? name : [name]) {
        if (!Object.prototype.hasOwnProperty.call(obj, key)) throw SpinError("SPIN/JACKSON-JSON-01004 Unable to find '" + key + "'");
        delete obj[key];
      }
      return this;
    }
    elements() {
      if (!Array.isArray(this.data)) throw SpinError("SPIN/JACKSON-JSON-01010 Unable to get elements of a " + kindOf(this.data) + " node, it is not an array");
      return spinList(this.data.map((d) => new SpinJson(d)));
    }
    fieldNames() { return spinList(Object.keys(this._object("get field names"))); }
    append(v) {
      if (!Array.isArray(this.data)) throw SpinError("SPIN/JACKSON-JSON-01010 Unable to append to a non-array node");
      this.data.push(plain(v));
      return this;
    }
    indexOf(v) {
      if (!Array.isArray(this.data)) throw SpinError("SPIN/JACKSON-JSON-01010 Unable to search a non-array node");
      const want = nativeJSON.stringify(plain(v));
      return this.data.findIndex((d) => nativeJSON.stringify(d) === want);
    }
    jsonPath(path) { return new JsonPathQuery(this, path); }
    isObject() { return isObj(this.data); }
    isArray() { return Array.isArray(this.data); }
    isString() { return typeof this.data === "string"; }
    isNumber() { return typeof this.data === "number"; }
    isBoolean() { return typeof this.data === "boolean"; }
    isNull() { return this.data === null || this.data === undefined; }
    isValue() { return !isObj(this.data) && !Array.isArray(this.data); }
    stringValue() { return this._typed("string", "String"); }
    numberValue() { return this._typed("number", "Number"); }
    boolValue() { return this._typed("boolean", "Boolean"); }
    value() { return this.data; }
    mapTo() { return this.data; }
    toString() { return nativeJSON.stringify(this.data === undefined ? null : this.data); }
    toJSON() { return this.data; }
    _object(action) {
      if (!isObj(this.data)) throw SpinError("SPIN/JACKSON-JSON-01010 Unable to " + action + " of a " + kindOf(this.data) + " node, it is not an object");
      return this.data;
    }
    _typed(type, name) {
      if (this.data === null || this.data === undefined) return null;
      if (typeof this.data !== type) throw SpinError("SPIN/JACKSON-JSON-01007 Expected '" + name + "', got '" + kindOf(this.data) + "'");
      return this.data;
    }
  }
  class JsonPathQuery {
    constructor(node, path) { this.node = node; this.path = String(path); }
    element() { return new SpinJson(jsonQuery(this.node.data, this.path)); }
    elementList() {
      const r = jsonQuery(this.node.data, this.path);
      if (!Array.isArray(r)) throw SpinError("SPIN/JACKSON-JSON-01018 Unable to get element list of json path '" + this.path + "': the result is a " + kindOf(r) + ", not an array");
      return spinList(r.map((d) => new SpinJson(d)));
    }
    stringValue() { return this.element().stringValue(); }
    numberValue() { return this.element().numberValue(); }
    boolValue() { return this.element().boolValue(); }
  }

  // ---------------------------------------------------------------- XML (no DTDs, no entities)
  const ENTITIES = { lt: "<", gt: ">", amp: "&", quot: "\"", apos: "'" };
  function unescapeXml(s) {
    return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e) => {
      if (e[0] === "#") return String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
      if (!(e in ENTITIES)) throw SpinError("SPIN/DOM-XML-01001 Unable to parse input into xml element: unknown entity &" + e + ";");
      return ENTITIES[e];
    });
  }
  function escapeXml(s, attr) {
    s = String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    return attr ? s.replace(/"/g, "&quot;") : s;
  }
  function parseXml(text) {
    const src = String(text);
    if (/<!DOCTYPE|<!ENTITY/i.test(src)) throw SpinError("SPIN/DOM-XML-01001 Unable to parse input into xml element: DTDs and entities are refused");
    let pos = 0;
    const fail = (why) => { throw SpinError("SPIN/DOM-XML-01001 Unable to parse input into xml element: " + why + " at " + pos); };
    const skipMisc = () => {
      for (;;) {
        const m = /^(\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->)/.exec(src.slice(pos));
        if (!m) return;
        pos += m[0].length;
      }
    };
    function element(scope) {
      const open = /^<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)/.exec(src.slice(pos));
      if (!open) fail("expected an element");
      pos += open[0].length;
      const rawAttrs = [];
      for (;;) {
        const m = /^\s+([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)\s*=\s*("[^"]*"|'[^']*')/.exec(src.slice(pos));
        if (!m) break;
        pos += m[0].length;
        rawAttrs.push([m[1], unescapeXml(m[2].slice(1, -1))]);
      }
      const ns = Object.assign(Object.create(null), scope);
      for (const [n, v] of rawAttrs) {
        if (n === "xmlns") ns[""] = v;
        else if (n.startsWith("xmlns:")) ns[n.slice(6)] = v;
      }
      const [prefix, local] = open[1].includes(":") ? open[1].split(":") : ["", open[1]];
      if (prefix && !(prefix in ns)) fail("unbound prefix '" + prefix + "'");
      const el = { type: "element", prefix, local, ns: ns[prefix] || null, attrs: [], children: [], parent: null, scope: ns };
      for (const [n, v] of rawAttrs) {
        const [p, l] = n.includes(":") ? n.split(":") : ["", n];
        el.attrs.push({ prefix: p, local: l, ns: p === "xmlns" || n === "xmlns" ? "http://www.w3.org/2000/xmlns/" : p ? ns[p] || null : null, value: v, raw: n });
      }
      const close = /^\s*(\/?)>/.exec(src.slice(pos));
      if (!close) fail("malformed start tag");
      pos += close[0].length;
      if (close[1]) return el;
      for (;;) {
        if (src.startsWith("</", pos)) {
          const end = /^<\/([^\s>]+)\s*>/.exec(src.slice(pos));
          if (!end || end[1] !== open[1]) fail("mismatched end tag");
          pos += end[0].length;
          return el;
        }
        if (src.startsWith("<!--", pos)) { const e = src.indexOf("-->", pos); if (e < 0) fail("open comment"); pos = e + 3; continue; }
        if (src.startsWith("<![CDATA[", pos)) {
          const e = src.indexOf("]]>", pos);
          if (e < 0) fail("open CDATA");
          el.children.push({ type: "text", text: src.slice(pos + 9, e) });
          pos = e + 3;
          continue;
        }
        if (src.startsWith("<?", pos)) { const e = src.indexOf("?>", pos); if (e < 0) fail("open PI"); pos = e + 2; continue; }
        if (src[pos] === "<") { const child = element(ns); child.parent = el; el.children.push(child); continue; }
        const next = src.indexOf("<", pos);
        if (next < 0) fail("unclosed element <" + open[1] + ">");
        el.children.push({ type: "text", text: unescapeXml(src.slice(pos, next)) });
        pos = next;
      }
    }
    skipMisc();
    const root = element(Object.create(null));
    skipMisc();
    if (pos !== src.length) fail("content after the root element");
    return root;
  }
  function serialize(el) {
    const name = el.prefix ? el.prefix + ":" + el.local : el.local;
    let out = "<" + name;
    for (const a of el.attrs) out += " " + a.raw + "=\"" + escapeXml(a.value, true) + "\"";
    if (!el.children.length) return out + "/>";
    out += ">";
    for (const c of el.children) out += c.type === "text" ? escapeXml(c.text) : serialize(c);
    return out + "</" + name + ">";
  }
  function textOf(el) { return el.children.map((c) => (c.type === "text" ? c.text : textOf(c))).join(""); }
  function childrenOf(el) { return el.children.filter((c) => c.type === "element"); }
  function realAttrs(el) { return el.attrs.filter((a) => a.ns !== "http://www.w3.org/2000/xmlns/"); }

  class SpinXml {
    constructor(el) { this.el = el; }
    name() { return this.el.local; }
    namespace() { return this.el.ns; }
    hasNamespace(ns) { return this.el.ns === (ns || null); }
    _findAttr(args) {
      const [ns, local] = args.length > 1 ? [args[0] || null, args[1]] : [undefined, args[0]];
      return realAttrs(this.el).find((a) => a.local === local && (ns === undefined ? !a.prefix || a.raw === local : a.ns === ns));
    }
    attr(...args) {
      const a = this._findAttr(args);
      if (!a) throw SpinError("SPIN/DOM-XML-01002 Unable to find attribute with name '" + args[args.length - 1] + "'");
      return new SpinXmlAttr(a);
    }
    hasAttr(...args) { return !!this._findAttr(args); }
    attrNames() { return spinList(realAttrs(this.el).map((a) => a.local)); }
    attrs() { return spinList(realAttrs(this.el).map((a) => new SpinXmlAttr(a))); }
    childElements(...args) {
      const kids = childrenOf(this.el);
      if (!args.length) return spinList(kids.map((k) => new SpinXml(k)));
      const [ns, local] = args.length === 1 ? [this.el.ns, args[0]] : [args[0] || null, args[1]];
      return spinList(kids.filter((k) => k.local === local && k.ns === ns).map((k) => new SpinXml(k)));
    }
    childElement(...args) {
      const found = this.childElements(...args);
      if (!found.length) {
        const ns = args.length === 1 ? this.el.ns : args[0];
        throw SpinError("SPIN/DOM-XML-01006 Unable to find child element with namespace '" + ns + "' and name '" + args[args.length - 1] + "'");
      }
      if (found.length > 1) throw SpinError("SPIN/DOM-XML-01007 More than one child element found for name '" + args[args.length - 1] + "'");
      return found[0];
    }
    textContent(text) {
      if (arguments.length) { this.el.children = [{ type: "text", text: String(text) }]; return this; }
      return textOf(this.el);
    }
    xPath(expression) { return new XPathQuery(this.el, expression); }
    toString() { return serialize(this.el); }
    toJSON() { return serialize(this.el); }
  }
  class SpinXmlAttr {
    constructor(a) { this.a = a; }
    name() { return this.a.local; }
    namespace() { return this.a.ns; }
    value(v) { if (arguments.length) { this.a.value = String(v); return this; } return this.a.value; }
    stringValue() { return this.a.value; }
    toString() { return this.a.value; }
  }

  // XPath subset: location paths (/, //, ., ..) with name tests (prefix:name, *),
  // @attr, text(), predicates [n], [@a], [@a='v'], [name='v']; string(...), count(...).
  class XPathQuery {
    constructor(el, expression) { this.el = el; this.expression = String(expression); this.nsMap = Object.create(null); }
    ns(prefix, uri) {
      if (prefix && typeof prefix === "object") Object.assign(this.nsMap, prefix);
      else this.nsMap[prefix] = uri;
      return this;
    }
    _run() {
      let expr = this.expression.trim();
      const fn = /^(string|count|number|boolean)\((.*)\)$/.exec(expr);
      const nodes = evalXPath(fn ? fn[2] : expr, this.el, this.nsMap, this.expression);
      if (!fn) return nodes;
      if (fn[1] === "count") return nodes.length;
      const s = nodes.length ? nodeText(nodes[0]) : "";
      return fn[1] === "string" ? s : fn[1] === "number" ? Number(s) : nodes.length > 0;
    }
    _nodes() {
      const r = this._run();
      if (!Array.isArray(r) || !r.length) throw SpinError("SPIN/DOM-XML-01010 Unable to find XPath expression '" + this.expression + "'");
      return r;
    }
    element() {
      const els = this._nodes().filter((n) => n.type === "element");
      if (els.length !== 1) throw SpinError("SPIN/DOM-XML-01011 Expected one element for XPath expression '" + this.expression + "', found " + els.length);
      return new SpinXml(els[0]);
    }
    elementList() { return spinList(this._nodes().filter((n) => n.type === "element").map((n) => new SpinXml(n))); }
    attribute() {
      const at = this.attributeList();
      if (at.length !== 1) throw SpinError("SPIN/DOM-XML-01011 Expected one attribute for XPath expression '" + this.expression + "', found " + at.length);
      return at[0];
    }
    attributeList() { return spinList(this._nodes().filter((n) => n.type === "attr").map((n) => new SpinXmlAttr(n.a))); }
    string() { const r = this._run(); return Array.isArray(r) ? (r.length ? nodeText(r[0]) : "") : String(r); }
    number() { const r = this._run(); return Array.isArray(r) ? Number(r.length ? nodeText(r[0]) : NaN) : Number(r); }
    bool() { const r = this._run(); return Array.isArray(r) ? r.length > 0 : !!r; }
  }
  function nodeText(n) { return n.type === "element" ? textOf(n) : n.type === "attr" ? n.a.value : n.text; }
  function evalXPath(expr, ctx, nsMap, original) {
    const bad = () => SpinError("SPIN/DOM-XML-01009 Unable to evaluate XPath expression '" + original + "': not in the supported subset");
    let root = ctx;
    while (root.parent) root = root.parent;
    let current;
    let rest = expr;
    if (rest.startsWith("//")) { current = [{ type: "document", children: [root] }]; rest = rest.slice(2); rest = "descendant-or-self::node()/" + rest; }
    else if (rest.startsWith("/")) { current = [{ type: "document", children: [root] }]; rest = rest.slice(1); }
    else current = [ctx];
    const steps = splitSteps(rest);
    for (const raw of steps) {
      if (raw === "descendant-or-self::node()") {
        current = current.flatMap(function all(n) { return [n, ...(n.children || []).filter((c) => c.type === "element").flatMap(all)]; });
        continue;
      }
      if (raw === "") { current = current.flatMap(function all(n) { return [n, ...(n.children || []).filter((c) => c.type === "element").flatMap(all)]; }); continue; }
      const m = /^(@?)([^\[]+)((?:\[[^\]]*\])*)$/.exec(raw);
      if (!m) throw bad();
      const [, at, test, preds] = m;
      let next;
      if (test === ".") next = current;
      else if (test === "..") next = current.map((n) => n.parent).filter(Boolean);
      else if (test === "text()") next = current.flatMap((n) => (n.children || []).filter((c) => c.type === "text"));
      else if (at) next = current.flatMap((n) => (n.type === "element" ? realAttrs(n).filter((a) => nameMatches(a, test, nsMap, true)).map((a) => ({ type: "attr", a })) : []));
      else next = current.flatMap((n) => (n.children || []).filter((c) => c.type === "element" && nameMatches(c, test, nsMap, false)));
      for (const p of preds.match(/\[[^\]]*\]/g) || []) next = applyPredicate(next, p.slice(1, -1).trim(), nsMap, bad);
      current = next;
    }
    return current;
  }
  function splitSteps(rest) {
    const out = [];
    let depth = 0, cur = "";
    for (let i = 0; i < rest.length; i++) {
      const c = rest[i];
      if (c === "[") depth++;
      if (c === "]") depth--;
      if (c === "/" && depth === 0) { out.push(cur); cur = ""; continue; }
      cur += c;
    }
    out.push(cur);
    return out;
  }
  function nameMatches(node, test, nsMap, attr) {
    if (test === "*" || test === "node()") return true;
    const [p, l] = test.includes(":") ? test.split(":") : ["", test];
    if (l !== "*" && node.local !== l) return false;
    if (p) return node.ns === (nsMap[p] || null);
    return attr ? !node.prefix : node.ns === null || node.ns === undefined;
  }
  function applyPredicate(nodes, pred, nsMap, bad) {
    if (/^\d+$/.test(pred)) { const i = parseInt(pred, 10); return nodes[i - 1] ? [nodes[i - 1]] : []; }
    if (pred === "last()") return nodes.length ? [nodes[nodes.length - 1]] : [];
    const m = /^(@?)([\w.\-:*]+|text\(\))\s*(?:(=|!=)\s*('[^']*'|"[^"]*"|-?\d+(?:\.\d+)?))?$/.exec(pred);
    if (!m) throw bad();
    const [, at, test, op, lit] = m;
    const want = lit === undefined ? undefined : lit[0] === "'" || lit[0] === "\"" ? lit.slice(1, -1) : lit;
    return nodes.filter((n) => {
      if (n.type !== "element") return false;
      const values = test === "text()" ? [textOf(n)] : at ? realAttrs(n).filter((a) => nameMatches(a, test, nsMap, true)).map((a) => a.value)
        : childrenOf(n).filter((c) => nameMatches(c, test, nsMap, false)).map(textOf);
      if (op === undefined) return values.length > 0;
      const hit = values.some((v) => v === want || (!isNaN(Number(want)) && Number(v) === Number(want)));
      return op === "=" ? hit : !hit && values.length > 0;
    });
  }

  // ---------------------------------------------------------------- factories
  function JSONnode(input) {
    if (input instanceof SpinJson) return input;
    if (typeof input === "string") {
      try { return new SpinJson(nativeJSON.parse(input)); } catch (e) {
        throw SpinError("SPIN/JACKSON-JSON-01002 Unable to parse input into json node: " + e.message);
      }
    }
    if (input === null || input === undefined) throw SpinError("SPIN/CORE-01002 Unable to create a Spin node from null");
    return new SpinJson(plain(input));
  }
  function XMLnode(input) {
    if (input instanceof SpinXml) return input;
    if (typeof input !== "string") throw SpinError("SPIN/CORE-01004 Unable to read a " + typeof input + " as XML");
    return new SpinXml(parseXml(input));
  }
  function S(input, format) {
    if (input instanceof SpinJson || input instanceof SpinXml) return input;
    if (format !== undefined && format !== null) {
      const f = String(format).toLowerCase();
      if (f.includes("json")) return JSONnode(input);
      if (f.includes("xml")) return XMLnode(input);
      throw SpinError("SPIN/CORE-01004 No data format '" + format + "' available");
    }
    if (typeof input === "string") return input.trimStart().startsWith("<") ? XMLnode(input) : JSONnode(input);
    return JSONnode(input);
  }
  // JSON(...) builds a Spin node, as in Camunda's script environment, and still offers
  // JSON.parse and JSON.stringify so scripts using the standard object keep working.
  const SpinJSON = function JSON(input) { return JSONnode(input); };
  SpinJSON.parse = nativeJSON.parse;
  SpinJSON.stringify = nativeJSON.stringify;

  globalThis.__spin = { S, JSON: SpinJSON, XML: XMLnode, SpinJson, SpinXml, spinList,
    serialize, parseXml };
})();

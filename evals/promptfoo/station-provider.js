// A promptfoo provider for citizenstation's assistant API. Each promptfoo
// test is one resident turn; tests that share metadata.conversationId play
// one conversation in one service session, in order (run with -j 1).
//
//   providers:
//     - id: file://evals/promptfoo/station-provider.js
//       config: { url: http://127.0.0.1:8080 }   # or STATION_URL
//
// With STATION_EVAL_TOKEN set, replies carry the eval mode's details
// (route label, retrieved passages, timings). The output is the reply's
// JSON; text assertions read output.reply through a transform.
const fs = require('fs');
const path = require('path');

class StationProvider {
  constructor(options = {}) {
    this.config = options.config || {};
    this.label = options.id || 'station';
    this.sessions = new Map();
  }

  id() {
    return this.label;
  }

  base() {
    return (this.config.url || process.env.STATION_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
  }

  headers(json = true) {
    const h = { Accept: 'application/json' };
    if (json) h['Content-Type'] = 'application/json';
    const token = this.config.evalToken || process.env.STATION_EVAL_TOKEN;
    if (token) h['X-Eval-Token'] = token;
    return h;
  }

  async request(method, url, body, json = true) {
    const res = await fetch(this.base() + url, { method, headers: this.headers(json), body });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      const e = data.error || {};
      throw new Error(`${method} ${url}: HTTP ${res.status} ${e.code || ''} ${e.message || ''}`);
    }
    return data;
  }

  async session(conversation) {
    if (conversation && this.sessions.has(conversation)) return this.sessions.get(conversation);
    const created = await this.request('POST', '/api/v1/sessions', '{}');
    if (conversation) this.sessions.set(conversation, created.id);
    return created.id;
  }

  async callApi(prompt, context = {}) {
    const vars = context.vars || {};
    const meta = (context.test && context.test.metadata) || {};
    try {
      const id = await this.session(meta.conversationId);
      let body;
      if (vars.choice) {
        body = { choice: String(vars.choice) };
      } else if (vars.image) {
        const form = new FormData();
        const file = fs.readFileSync(vars.image);
        form.append('file', new Blob([file]), path.basename(vars.image));
        const res = await fetch(this.base() + '/api/v1/ocr', { method: 'POST', headers: this.headers(false), body: form });
        const scan = await res.json();
        if (!res.ok) throw new Error(`POST /api/v1/ocr: HTTP ${res.status} ${(scan.error || {}).code || ''}`);
        body = { ocr_result_id: scan.id };
      } else {
        body = { text: prompt };
      }
      const eval_ = this.headers()['X-Eval-Token'] ? '?eval=1' : '';
      const started = Date.now();
      const reply = await this.request('POST', `/api/v1/sessions/${encodeURIComponent(id)}/messages${eval_}`, JSON.stringify(body));
      const latencyMs = Date.now() - started;
      if (meta.last) {
        reply.state = await this.request('GET', `/api/v1/sessions/${encodeURIComponent(id)}`);
      }
      const usage = reply.eval || {};
      return {
        output: reply,
        latencyMs,
        tokenUsage: {
          prompt: usage.prompt_tokens || 0,
          completion: usage.completion_tokens || 0,
          total: (usage.prompt_tokens || 0) + (usage.completion_tokens || 0),
        },
      };
    } catch (err) {
      return { error: String(err && err.message ? err.message : err) };
    }
  }
}

module.exports = StationProvider;

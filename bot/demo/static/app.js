"use strict";
// The demo page: renders the emulated chats and acts through the page's API.
// Text from the bot or from people only ever becomes text nodes; markup comes from the
// entities Telegram's own HTML parser produced, and only for the types Telegram knows.

const state = { people: [], groupId: 0, botId: 0, chats: new Map(), labels: {}, version: 0, person: 0 };
const $ = (id) => document.getElementById(id);
const SAFE_LINK = /^(https?:|tg:|mailto:)/i;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function entityNode(entity) {
  switch (entity.type) {
    case "bold": return el("b");
    case "italic": return el("i");
    case "underline": return el("u");
    case "strikethrough": return el("s");
    case "code": return el("code");
    case "pre": return el("pre");
    case "blockquote": case "expandable_blockquote": return el("blockquote");
    case "spoiler": {
      const node = el("span", "spoiler");
      node.addEventListener("click", () => node.classList.add("shown"));
      return node;
    }
    case "text_link": {
      if (!SAFE_LINK.test(entity.url || "")) return el("span");
      const link = el("a");
      link.href = entity.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      return link;
    }
    default: return null; // commands, custom emoji and the rest read as plain text
  }
}

// Offsets are UTF-16 code units, as JavaScript strings count them.
function renderText(text, entities) {
  const fragment = document.createDocumentFragment();
  const cuts = new Set([0, text.length]);
  for (const e of entities) { cuts.add(e.offset); cuts.add(e.offset + e.length); }
  const points = [...cuts].filter((p) => p >= 0 && p <= text.length).sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const [start, end] = [points[i], points[i + 1]];
    const active = entities
      .filter((e) => e.offset <= start && e.offset + e.length >= end)
      .sort((a, b) => a.offset - b.offset || b.length - a.length);
    let outer = document.createTextNode(text.slice(start, end));
    for (const entity of active.reverse()) {
      const wrapper = entityNode(entity);
      if (wrapper) { wrapper.appendChild(outer); outer = wrapper; }
    }
    fragment.appendChild(outer);
  }
  return fragment;
}

function renderMessage(message) {
  const mine = message.from && message.from.id !== state.botId;
  const node = el("div", "message" + (mine ? " mine" : ""));
  node.dataset.id = message.message_id;
  if (mine && message.chat.id < 0) node.appendChild(el("div", "author", message.from.first_name));
  if (message.photo) {
    const box = el("div", "photo");
    const image = el("img");
    image.src = "/demo/file/" + encodeURIComponent(message.photo.file_id);
    image.alt = "";
    box.appendChild(image);
    node.appendChild(box);
  }
  if (message.document) {
    const box = el("div", "document");
    const link = el("a", "", "📄 " + message.document.file_name);
    link.href = "/demo/file/" + encodeURIComponent(message.document.file_id);
    link.download = message.document.file_name;
    box.appendChild(link);
    box.appendChild(el("span", "", " · " + Math.max(1, Math.round(message.document.file_size / 1024)) + " KB"));
    node.appendChild(box);
  }
  const body = message.text !== undefined ? message.text : message.caption;
  if (body) {
    const text = el("div", "text");
    text.appendChild(renderText(body, message.entities || []));
    node.appendChild(text);
  }
  if (message.buttons && message.buttons.length) {
    const box = el("div", "buttons");
    for (const row of message.buttons) {
      const line = el("div", "row");
      for (const button of row) {
        if (button.url) {
          const link = el("a", "", button.text);
          if (SAFE_LINK.test(button.url)) link.href = button.url;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
          line.appendChild(link);
        } else {
          const press = el("button", "", button.text);
          press.type = "button";
          press.addEventListener("click", () => pressButton(message, button.data));
          line.appendChild(press);
        }
      }
      box.appendChild(line);
    }
    node.appendChild(box);
  }
  const when = new Date(((message.edit_date || message.date) || 0) * 1000);
  const time = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  node.appendChild(el("div", "meta", (message.edit_date ? state.labels.edited + " " : "") + time));
  return node;
}

function paneFor(chatId) {
  if (chatId === state.groupId) return $("group");
  if (chatId === state.person) return $("private");
  return null;
}

function renderChat(chatId) {
  const pane = paneFor(chatId);
  if (!pane) return;
  pane.replaceChildren();
  const messages = [...(state.chats.get(chatId) || new Map()).values()];
  if (!messages.length) pane.appendChild(el("div", "empty", state.labels.empty));
  for (const message of messages) pane.appendChild(renderMessage(message));
  pane.scrollTop = pane.scrollHeight;
}

function upsert(message) {
  const chatId = message.chat.id;
  if (!state.chats.has(chatId)) state.chats.set(chatId, new Map());
  const chat = state.chats.get(chatId);
  const known = chat.has(message.message_id);
  chat.set(message.message_id, message);
  const pane = paneFor(chatId);
  if (!pane) return;
  const fresh = renderMessage(message);
  const old = pane.querySelector(`.message[data-id="${message.message_id}"]`);
  const atBottom = pane.scrollHeight - pane.scrollTop - pane.clientHeight < 40;
  if (known && old) {
    fresh.classList.add("changed");
    old.replaceWith(fresh);
  } else {
    pane.querySelector(".empty")?.remove();
    const later = [...pane.querySelectorAll(".message")].find((n) => Number(n.dataset.id) > message.message_id);
    pane.insertBefore(fresh, later || null);
  }
  if (atBottom || !known) pane.scrollTop = pane.scrollHeight;
}

function remove(chatId, messageId) {
  state.chats.get(chatId)?.delete(messageId);
  paneFor(chatId)?.querySelector(`.message[data-id="${messageId}"]`)?.remove();
}

let toastTimer = 0;
function toast(text, long) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, long ? 6000 : 3000);
}

async function post(path, body) {
  const options = body instanceof FormData
    ? { method: "POST", body }
    : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, options);
  if (!response.ok) toast(await response.text(), true);
}

function pressButton(message, data) {
  post("/demo/api/press", { user_id: state.person, chat_id: message.chat.id, message_id: message.message_id, data });
}

function sendText() {
  const box = $("text");
  const text = box.value.trim();
  if (!text) return;
  box.value = "";
  post("/demo/api/text", { user_id: state.person, text });
}

function sendFile(file) {
  const form = new FormData();
  form.append("user_id", String(state.person));
  form.append("file", file, file.name);
  post("/demo/api/file", form);
}

function applyLabels() {
  const l = state.labels;
  document.title = l.title;
  $("title").textContent = l.title;
  $("notice").textContent = l.notice;
  $("act-as").textContent = l.act_as;
  $("sample").textContent = l.sample;
  $("private-title").textContent = l.private;
  $("group-title").textContent = l.group;
  $("text").placeholder = l.placeholder;
  $("send").textContent = l.send;
  $("attach-label").title = l.attach;
  $("offline").textContent = l.offline;
  const select = $("person");
  select.replaceChildren();
  for (const person of state.people) {
    const option = el("option", "", `${person.name} (${l[person.role]})`);
    option.value = String(person.user_id);
    select.appendChild(option);
  }
  select.value = String(state.person);
}

async function loadState() {
  const response = await fetch("/demo/state");
  const data = await response.json();
  state.people = data.people;
  state.groupId = data.group_id;
  state.botId = data.bot_id;
  state.labels = data.labels;
  state.version = data.version;
  state.chats = new Map();
  for (const [chatId, messages] of Object.entries(data.chats)) {
    state.chats.set(Number(chatId), new Map(messages.map((m) => [m.message_id, m])));
  }
  if (!state.person) state.person = state.people[0].user_id;
  applyLabels();
  renderChat(state.person);
  renderChat(state.groupId);
}

function connect() {
  const socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/demo/ws");
  let pending = [];
  let loaded = false;
  socket.addEventListener("open", async () => {
    $("offline").hidden = true;
    await loadState();
    loaded = true;
    for (const event of pending) apply(event);
    pending = [];
  });
  socket.addEventListener("message", (message) => {
    const event = JSON.parse(message.data);
    if (loaded) apply(event); else pending.push(event);
  });
  socket.addEventListener("close", () => {
    $("offline").hidden = !state.labels.offline;
    setTimeout(connect, 1000);
  });
}

function apply(event) {
  if (event.version <= state.version) return; // already in the state that was read
  state.version = event.version;
  if (event.kind === "message") upsert(event.message);
  else if (event.kind === "deleted") remove(event.chat_id, event.message_id);
  else if (event.kind === "answer" && event.text) toast(event.text, event.show_alert);
}

window.addEventListener("DOMContentLoaded", () => {
  $("composer").addEventListener("submit", (event) => { event.preventDefault(); sendText(); });
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); sendText(); }
  });
  $("file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (file) sendFile(file);
    event.target.value = "";
  });
  $("person").addEventListener("change", (event) => {
    state.person = Number(event.target.value);
    renderChat(state.person);
  });
  connect();
});

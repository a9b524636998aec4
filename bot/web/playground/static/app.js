// The playground's chat page: draws the chats the server holds and follows them live (SSE).
"use strict";
const API = "/playground/api";
const page = { lang: "en", texts: {}, chats: [], chat: null, commands: [], groupTitle: "", refreshing: null };
const $ = (id) => document.getElementById(id);

async function call(path, options) {
  const response = await fetch(API + path, options);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}
const post = (path, body) => call(path, {
  method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
});

async function setLanguage(lang) {
  page.lang = lang;
  localStorage.setItem("playground.lang", lang);
  document.documentElement.lang = lang;
  $("language").value = lang;
  [page.texts, page.commands] = await Promise.all([call(`/texts/${lang}`), call(`/commands/${lang}`)]);
  for (const node of document.querySelectorAll("[data-text]")) node.textContent = page.texts[node.dataset.text];
  document.title = page.texts.title;
  const clock = $("clock-now");
  if (clock.dateTime) showClock(clock.dateTime);
  $("input").placeholder = page.texts.input;
  $("send").title = page.texts.send;
  $("attach-label").title = page.texts.attach;
  $("commands").title = page.texts.commands;
  drawChatList();
  refresh();
}

function chatLabel(chat) { return chat.group ? page.texts.group : chat.label; }

function drawChatList() {
  const nav = $("chats");
  nav.replaceChildren(...page.chats.map((chat) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = chatLabel(chat);
    button.dataset.chat = chat.chat_id;
    button.setAttribute("aria-current", String(page.chat === chat));
    button.onclick = () => openChat(chat);
    return button;
  }));
}

function openChat(chat) {
  page.chat = chat;
  localStorage.setItem("playground.chat", chat.chat_id);
  $("messages").replaceChildren();
  $("group-note").hidden = !chat.group;
  $("chat-sub").textContent = chat.group ? page.groupTitle : chatLabel(chat);
  drawChatList();
  refresh();
}

function refresh() {
  if (page.refreshing) return;
  page.refreshing = setTimeout(async () => {
    page.refreshing = null;
    if (!page.chat) return;
    const chatId = page.chat.chat_id;
    const shown = await call(`/chats/${chatId}`);
    if (page.chat && page.chat.chat_id === chatId) drawMessages(shown.messages);
  }, 30);
}

function drawMessages(messages) {
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const kept = new Map([...box.querySelectorAll(".msg")].map((node) => [node.dataset.id, node]));
  let added = false;
  let previous = null;
  for (const message of messages) {
    const key = String(message.id);
    const signature = JSON.stringify(message);
    let node = kept.get(key);
    if (!node) { node = document.createElement("div"); added = true; }
    kept.delete(key);
    if (node.dataset.signature !== signature) {
      fillMessage(node, message);
      node.dataset.signature = signature;
    }
    if (node.previousElementSibling !== previous || node.parentNode !== box) {
      box.insertBefore(node, previous ? previous.nextSibling : box.firstChild);
    }
    previous = node;
  }
  for (const node of kept.values()) node.remove();
  box.querySelector(".empty")?.remove();
  if (!messages.length) {
    const empty = document.createElement("div");
    empty.className = "empty";
    empty.textContent = page.texts.empty;
    box.append(empty);
  }
  if (atBottom || added) box.scrollTop = box.scrollHeight;
}

function fillMessage(node, message) {
  node.className = "msg " + (message.from_bot ? "bot" : "me");
  node.dataset.id = message.id;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  if (message.photo) {
    const img = document.createElement("img");
    img.src = `${API}/files/${encodeURIComponent(message.photo.file_id)}`;
    img.alt = "";
    bubble.append(img);
  }
  if (message.document) {
    const file = document.createElement("a");
    file.className = "file";
    file.href = `${API}/files/${encodeURIComponent(message.document.file_id)}`;
    file.download = message.document.name || "";
    file.textContent = `📄 ${message.document.name} · ${page.texts.download}`;
    bubble.append(file);
  }
  const html = message.html ?? message.caption;
  if (html) {
    const text = document.createElement("div");
    text.className = "text";
    text.innerHTML = html; // escaped by the server (bot/web/playground/html.py)
    for (const spoiler of text.querySelectorAll(".spoiler")) spoiler.onclick = () => spoiler.classList.add("shown");
    bubble.append(text);
  }
  const meta = document.createElement("div");
  meta.className = "meta";
  const when = new Date(message.date * 1000).toLocaleTimeString(page.lang, { hour: "2-digit", minute: "2-digit" });
  meta.textContent = (message.edited ? page.texts.edited + " " : "") + when;
  bubble.append(meta);
  const parts = [bubble];
  if (message.buttons.length) parts.push(keyboard(message));
  node.replaceChildren(...parts);
}

function keyboard(message) {
  const board = document.createElement("div");
  board.className = "keyboard";
  for (const row of message.buttons) {
    const line = document.createElement("div");
    line.className = "row";
    for (const button of row) {
      let node;
      if (button.url) {
        node = document.createElement("a");
        node.href = button.url;
        node.target = "_blank";
        node.rel = "noopener noreferrer";
      } else {
        node = document.createElement("button");
        node.type = "button";
        node.onclick = () => press(message.id, button.data);
      }
      node.textContent = button.text;
      line.append(node);
    }
    board.append(line);
  }
  return board;
}

async function press(messageId, data) {
  if (data === undefined) return;
  try { await post(`/chats/${page.chat.chat_id}/press`, { message_id: messageId, data }); }
  catch { refresh(); }
}

async function sendText(text) {
  if (!text.trim() || !page.chat) return;
  await post(`/chats/${page.chat.chat_id}/text`, { text });
}

async function sendFile(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  await fetch(`${API}/chats/${page.chat.chat_id}/document`, { method: "POST", body: form });
}

function showMenu(filter) {
  const menu = $("menu");
  const wanted = filter.replace(/^\//, "").toLowerCase();
  const shown = page.commands.filter((c) => c.command.startsWith(wanted));
  menu.replaceChildren(...shown.map((c) => {
    const item = document.createElement("button");
    item.type = "button";
    item.dataset.command = c.command;
    const name = document.createElement("b");
    name.textContent = "/" + c.command;
    item.append(name, c.description);
    item.onclick = () => { hideMenu(); $("input").value = ""; sendText("/" + c.command); };
    return item;
  }));
  menu.hidden = !shown.length;
}
function hideMenu() { $("menu").hidden = true; }

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 2500);
}

function showClock(iso) {
  const clock = $("clock-now");
  clock.dateTime = iso;
  clock.textContent = new Date(iso).toLocaleString(page.lang, {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "Europe/Paris",
  });
}

async function moveClock(to) {
  const buttons = [$("to-sync"), $("to-summary")];
  buttons.forEach((b) => { b.disabled = true; });
  $("clock-now").textContent = page.texts.moving;
  try { showClock((await post(`/clock/${to}`, {})).clock); }
  finally { buttons.forEach((b) => { b.disabled = false; }); }
}

function listen() {
  const events = new EventSource(`${API}/events`);
  events.onopen = () => { $("offline").hidden = true; refresh(); };
  events.onerror = () => { $("offline").hidden = false; };
  events.onmessage = (event) => {
    const change = JSON.parse(event.data);
    const here = page.chat && change.chat_id === page.chat.chat_id;
    if (change.type === "message" && here) refresh();
    else if (change.type === "toast" && here) toast(change.text);
    else if (change.type === "clock") showClock(change.now);
  };
}

async function start() {
  const state = await call("/state");
  page.chats = state.chats;
  page.groupTitle = state.group_title;
  const saved = Number(localStorage.getItem("playground.chat"));
  page.chat = page.chats.find((c) => c.chat_id === saved) || page.chats[0];
  showClock(state.clock);
  const lang = localStorage.getItem("playground.lang") || (navigator.language.startsWith("fr") ? "fr" : "en");
  await setLanguage(lang);
  openChat(page.chat);
  $("language").onchange = (e) => setLanguage(e.target.value);
  $("to-sync").onclick = () => moveClock("sync");
  $("to-summary").onclick = () => moveClock("summary");
  $("commands").onclick = () => ($("menu").hidden ? showMenu("") : hideMenu());
  $("input").oninput = (e) => {
    const value = e.target.value;
    if (/^\/\w*$/.test(value)) showMenu(value); else hideMenu();
  };
  $("attach").onchange = async (e) => {
    const file = e.target.files[0];
    if (file) await sendFile(file);
    e.target.value = "";
  };
  $("composer").onsubmit = async (e) => {
    e.preventDefault();
    const input = $("input");
    const text = input.value;
    input.value = "";
    hideMenu();
    await sendText(text);
    input.focus();
  };
  listen();
}
start();

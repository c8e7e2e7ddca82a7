// Live pages: keeps the parts of a page marked data-live current while it is open, with no reload.
//
// The page names the events it shows in <body data-watch="id id ...">. This script opens a WebSocket to the SignalR
// hub (/hubs/enrollment, JSON protocol, no negotiation) and asks to watch them. When one moves, the hub says only
// "eventChanged"; the script then fetches this same page again, as the signed-in person (so every rule of the page
// applies), and swaps in each data-live element whose content differs. A region someone is typing in waits until
// they leave it. Without JavaScript, or without WebSockets, the page is simply a page.
(() => {
  'use strict';

  const body = document.body;
  const events = (body.dataset.watch || '').split(' ').filter(Boolean);
  if (events.length === 0 || !('WebSocket' in window) || !('fetch' in window)) {
    return;
  }

  const separator = '\u001e'; // ends every SignalR JSON message
  const pingEvery = 15000;     // the hub drops a client silent for 30 s
  const waiting = new Set();   // regions with an update held back while someone types in them
  let socket = null;
  let pinger = 0;
  let attempts = 0;
  let reloading = false;       // a reload is on its way; changes meanwhile make one more after it
  let reloadAgain = false;
  let connectedBefore = false;
  let pending = 0;             // Watch calls not answered yet

  const send = (message) => {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message) + separator);
    }
  };

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let handshaken = false;
    socket = new WebSocket(`${scheme}//${location.host}/hubs/enrollment`);
    socket.onopen = () => send({ protocol: 'json', version: 1 });
    socket.onmessage = (message) => {
      for (const frame of String(message.data).split(separator)) {
        if (!frame) {
          continue;
        }
        const data = JSON.parse(frame);
        if (!handshaken) {
          if (data.error) {
            socket.close();
            return;
          }
          handshaken = true;
          attempts = 0;
          pending = events.length;
          events.forEach((eventId, index) => send({ type: 1, invocationId: String(index), target: 'Watch', arguments: [eventId] }));
          pinger = setInterval(() => send({ type: 6 }), pingEvery);
          body.dataset.live = 'connected';
          if (connectedBefore) {
            scheduleReload(); // changes may have happened while the connection was down
          }
          connectedBefore = true;
        } else if (data.type === 3 && --pending === 0) {
          body.dataset.live = 'watching'; // the cluster tells this page about every change from here on
        } else if (data.type === 1 && data.target === 'eventChanged') {
          scheduleReload();
        } else if (data.type === 7) {
          socket.close();
        }
      }
    };
    socket.onclose = () => {
      clearInterval(pinger);
      body.dataset.live = 'disconnected';
      const delay = Math.min(30000, 1000 * 2 ** attempts++) * (0.5 + Math.random() / 2);
      setTimeout(connect, delay);
    };
  }

  // The first change reloads at once; changes during that reload fold into one more (the hub already sends at most
  // ten a second per event).
  function scheduleReload() {
    if (reloading) {
      reloadAgain = true;
      return;
    }
    reloading = true;
    reload().finally(() => {
      reloading = false;
      if (reloadAgain) {
        reloadAgain = false;
        scheduleReload();
      }
    });
  }

  async function reload() {
    const address = new URL(location.href);
    address.searchParams.delete('handler'); // after a form post the address may name its handler
    address.hash = '';
    let response;
    try {
      response = await fetch(address, { credentials: 'same-origin', headers: { 'X-Live-Update': '1' } });
    } catch {
      return; // offline for a moment: the next change or reconnection tries again
    }
    if (!response.ok || response.redirected) {
      return; // signed out, or the page is gone: what is on screen stays until the person acts
    }
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
    let changed = false;
    for (const region of document.querySelectorAll('[data-live]')) {
      const next = region.id && fresh.getElementById(region.id);
      if (next && swap(region, next)) {
        changed = true;
      }
    }
    if (changed) {
      body.dataset.liveUpdatedAt = String(Date.now());
      announce();
    }
  }

  // Form tokens differ on every render, and local-time.js adds the viewer's time after load: neither makes a region
  // different.
  const comparable = (element) => {
    const copy = element.cloneNode(true);
    copy.querySelectorAll('.your-time').forEach((note) => note.remove());
    return copy.innerHTML.replace(/name="__RequestVerificationToken"[^>]*>/g, '>').replace(/\s+/g, ' ');
  };

  function swap(region, next) {
    if (comparable(region) === comparable(next) && region.className === next.className) {
      return false;
    }
    if (typing(region)) {
      waiting.add(region.id);
      region.dataset.liveHeldBack = 'true';
      return false;
    }
    const focused = region.contains(document.activeElement) ? document.activeElement : null;
    const focusKey = focused && (focused.id || focused.dataset.testid);
    region.className = next.className;
    region.innerHTML = next.innerHTML; // the element itself stays, with its aria-live and its place in the page
    delete region.dataset.liveHeldBack;
    region.dispatchEvent(new CustomEvent('live:updated', { bubbles: true }));
    if (focusKey) {
      const again = region.querySelector(`#${CSS.escape(focusKey)}, [data-testid="${CSS.escape(focusKey)}"]`);
      (again || region).focus({ preventScroll: true });
    }
    return true;
  }

  function typing(region) {
    const active = document.activeElement;
    const editing = active && region.contains(active) && active.matches('input, select, textarea');
    const typed = [...region.querySelectorAll('input[type=text], textarea')].some((field) => field.value !== '');
    return editing || typed;
  }

  // Regions that are not live regions themselves are announced through the page's status line.
  function announce() {
    const status = document.getElementById('live-status');
    if (status) {
      status.textContent = '';
      setTimeout(() => { status.textContent = 'This page was updated.'; }, 50);
    }
  }

  document.addEventListener('focusout', () => {
    if (waiting.size > 0) {
      setTimeout(() => {
        const held = [...waiting].map((id) => document.getElementById(id)).filter((region) => region && !typing(region));
        if (held.length > 0) {
          held.forEach((region) => waiting.delete(region.id));
          scheduleReload();
        }
      }, 0);
    }
  });

  connect();
})();

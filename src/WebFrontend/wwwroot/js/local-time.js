// Beside each event time (a <time> with data-event-zone, shown in the event's own zone), adds "your time: …" when the
// viewer's browser is in a zone whose clock reads differently at that instant, so nobody converts in their head.
// Without JavaScript the page still shows the event's local time, named by its zone.
(function () {
  "use strict";

  const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const wallClock = (zone) => new Intl.DateTimeFormat("en-GB", {
    timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  const yourTime = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short",
  });

  function annotate(element) {
    if (element.nextElementSibling?.classList.contains("your-time")) {
      return;
    }

    const instant = new Date(element.dateTime);
    if (Number.isNaN(instant.getTime())) {
      return;
    }

    let eventClock;
    try {
      eventClock = wallClock(element.dataset.eventZone).format(instant);
    } catch (unknownZone) {
      return; // a zone this browser does not know: the event's own time stands alone
    }

    if (eventClock === wallClock(viewerZone).format(instant)) {
      return;
    }

    const note = document.createElement("span");
    note.className = "your-time";
    note.dataset.testid = "your-time";
    note.textContent = "your time: " + yourTime.format(instant);
    element.after(" ", note);
  }

  document.querySelectorAll("time[data-event-zone]").forEach(annotate);
  // Parts of the page that live.js swapped in come from the server without the note.
  document.addEventListener("live:updated", (event) => event.target.querySelectorAll("time[data-event-zone]").forEach(annotate));
})();

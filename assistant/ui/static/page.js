// The page's own behaviour (loaded by app.py through assistant/ui/page.py):
// 1. a click on an answer's [n] shows that answer's sources and opens and highlights card n;
// 2. the conversation keeps the newest question and the start of its answer in view, instead
//    of scrolling to the end of a long answer (until the reader scrolls it themselves).
(() => {
  const MARKERS = 'a[href^="#src-"], a[href^="#case-src-"]';

  function showSource(id) {
    const card = document.getElementById(id);
    if (!card) return;
    const section = card.closest(".answer-sources");
    if (section && section.parentElement) {
      for (const other of section.parentElement.querySelectorAll(".answer-sources")) {
        other.hidden = other !== section;
        other.classList.toggle("current", other === section);
      }
    }
    for (const lit of document.querySelectorAll(".source-card.highlight")) {
      lit.classList.remove("highlight");
    }
    card.classList.add("highlight");
    const details = card.querySelector("details");
    if (details) details.open = true;
    card.scrollIntoView({ block: "nearest" });
    card.focus({ preventScroll: true });
  }

  document.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest && event.target.closest(MARKERS);
      if (!link) return;
      event.preventDefault();
      event.stopPropagation();
      showSource(link.getAttribute("href").slice(1));
    },
    true,
  );

  const LABEL_ROOM = 40; // px above the question: the "Conversation" label sits there
  let pinned = null; // the question kept at the top of the conversation
  let following = false;

  function keepQuestionInView() {
    const wrap = document.querySelector("#chat .bubble-wrap");
    if (!wrap) return;
    const questions = wrap.querySelectorAll("[data-testid='user']");
    const last = questions[questions.length - 1];
    if (!last) return;
    if (last !== pinned) {
      pinned = last;
      following = true;
    }
    if (!following) return;
    const top = last.getBoundingClientRect().top - wrap.getBoundingClientRect().top;
    wrap.scrollTop = Math.max(0, wrap.scrollTop + top - LABEL_ROOM);
  }

  function stopFollowing(event) {
    if (event.target.closest && event.target.closest("#chat")) following = false;
  }
  for (const name of ["wheel", "touchmove"]) {
    document.addEventListener(name, stopFollowing, { passive: true });
  }
  document.addEventListener("keydown", (event) => {
    if (["PageUp", "PageDown", "ArrowUp", "ArrowDown", "Home", "End"].includes(event.key)) {
      stopFollowing(event);
    }
  });

  function watch() {
    const chat = document.querySelector("#chat");
    if (!chat) {
      setTimeout(watch, 200);
      return;
    }
    new MutationObserver(keepQuestionInView).observe(chat, {
      childList: true,
      subtree: true,
      characterData: true,
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();

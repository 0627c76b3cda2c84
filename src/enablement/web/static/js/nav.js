// The sticky bar's section navigation: a link to each view, the one being read marked with
// aria-current, and a jump that moves the keyboard focus into the chosen section.

const GAP = 12; // pixels between the bar and a section's top after a jump

/** Wire the links in `bar`'s <nav>; returns `update()`, to call when the layout changes. */
export function setUpNav(bar) {
  const links = [...bar.querySelectorAll("nav a[href^='#']")];
  const sections = links.map((link) => document.getElementById(link.hash.slice(1)));
  // A jump's section stays marked while the page rests where the jump left it: near the
  // bottom, a short last section can never reach the bar.
  let jumped = null;

  const mark = (section) => links.forEach((link, i) => {
    if (sections[i] === section) link.setAttribute("aria-current", "true");
    else link.removeAttribute("aria-current");
  });

  const update = () => {
    if (jumped && Math.abs(window.scrollY - jumped.y) < 2) return mark(jumped.section);
    jumped = null;
    return mark(reading(bar, sections));
  };

  let frame = 0;
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; update(); });
  };
  window.addEventListener("scroll", schedule, { passive: true });
  window.addEventListener("resize", schedule);

  bar.querySelector("nav").addEventListener("click", (event) => {
    const link = event.target.closest("a");
    if (!link) return;
    // No fragment navigation: it would add history entries, which Back treats as filters.
    event.preventDefault();
    const section = sections[links.indexOf(link)];
    const top = section.getBoundingClientRect().top + window.scrollY - bar.offsetHeight - GAP;
    window.scrollTo({ top: Math.max(0, top), behavior: "instant" });
    section.focus({ preventScroll: true });
    jumped = { section, y: window.scrollY };
    mark(section);
  });
  update();
  return schedule;
}

/** The section being read: the last whose top has passed under the bar, or, scrolled to the
 * very bottom, the last one on screen. */
function reading(bar, sections) {
  if (!sections[0].offsetParent) return sections[0]; // the views are hidden: nothing is read yet
  const line = bar.getBoundingClientRect().bottom + GAP + 4;
  let found = sections[0];
  for (const section of sections) {
    if (section.getBoundingClientRect().top <= line) found = section;
  }
  const root = document.documentElement;
  if (window.scrollY > 0 && window.innerHeight + window.scrollY >= root.scrollHeight - 2) {
    const shown = sections.filter((s) => s.getBoundingClientRect().top < window.innerHeight);
    if (shown.length) found = shown[shown.length - 1];
  }
  return found;
}

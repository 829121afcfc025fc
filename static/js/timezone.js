// The notification settings page: an empty time-zone field takes the browser's own zone, which
// the reader sees, and may change, before saving.
document.querySelectorAll("input[data-browser-zone]").forEach((input) => {
  if (input.value) return;
  try {
    input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    // An old browser without Intl: the field stays empty (UTC).
  }
});

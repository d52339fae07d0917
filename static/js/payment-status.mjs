// The "We are confirming your payment" page: ask the server every few seconds whether the payment's
// answer is in, and load the page again when it is. Without JavaScript the "Check again" button does
// the same by hand. No <meta> refresh: a timed reload would move people on mid-sentence (WCAG 2.2.1).
const INTERVAL_MS = 3000;
const MAX_CHECKS = 40; // two minutes; after that the page's own words and button take over

export function initPaymentStatus(root = document) {
  const box = root.querySelector("[data-payment-status-url]");
  if (!box) return;
  const statusUrl = box.dataset.paymentStatusUrl;
  const nextUrl = box.dataset.paymentNextUrl;
  const message = box.querySelector("[data-payment-status-message]");
  if (message) message.textContent = "This page checks for your payment by itself every few seconds.";
  let checks = 0;

  const check = async () => {
    checks += 1;
    try {
      const response = await fetch(statusUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (response.ok) {
        const answer = await response.json();
        if (answer.confirming === false) {
          window.location.assign(nextUrl);
          return;
        }
      }
    } catch {
      // A dropped connection is not an answer: try again at the next interval.
    }
    if (checks < MAX_CHECKS) {
      window.setTimeout(check, INTERVAL_MS);
    } else if (message) {
      message.textContent = "We have stopped checking by ourselves. Press Check again to look now.";
    }
  };
  window.setTimeout(check, INTERVAL_MS);
}

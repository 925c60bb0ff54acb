import type { Notification, NotificationLevel } from "@marketplace-kit/core"

// The level is carried by a word and a symbol as well as by colour.
const LEVELS: Record<NotificationLevel, { readonly label: string; readonly symbol: string }> = {
  info: { label: "Info", symbol: "i" },
  warn: { label: "Warning", symbol: "!" },
  error: { label: "Error", symbol: "×" }
}

// Core accepts only http(s) links; checked again here since this is where a link becomes clickable.
const safeHref = (href: string | undefined): string | undefined =>
  href !== undefined && /^https?:\/\//i.test(href) ? href : undefined

/** The notification banner the customer sees on the installation's page; nothing when there is none. */
export const NotificationBanner = ({ notification }: { notification: Notification | undefined }) => {
  if (notification === undefined) return null
  const { level, title, message, href } =
    typeof notification === "string"
      ? { level: "info" as const, title: notification, message: undefined, href: undefined }
      : notification
  const link = safeHref(href)
  const { label, symbol } = LEVELS[level]
  return (
    <div class={`banner banner-${level}`} data-testid="notification" data-level={level} role="status">
      <span class="banner-symbol" aria-hidden="true">
        {symbol}
      </span>
      <div class="banner-body">
        <p class="banner-title">
          <span class="banner-level">{label}:</span> <strong data-testid="notification-title">{title}</strong>
        </p>
        {message === undefined ? null : <p class="banner-message">{message}</p>}
        {link === undefined ? null : (
          <a class="banner-link" href={link} target="_blank" rel="noopener noreferrer">
            {link}
          </a>
        )}
      </div>
    </div>
  )
}

import type { BillingPlan, BillingPlanDetail } from "@marketplace-kit/core"
import { dateTime, plain } from "./Format.js"

declare const __MKIT_PLAN_FIELDS__: ReadonlyArray<string>

const KNOWN = new Set(__MKIT_PLAN_FIELDS__)

const Rows = ({ rows, className }: { rows: ReadonlyArray<BillingPlanDetail>; className: string }) => (
  <dl class={className}>
    {rows.map((row, index) => (
      <div class="row" key={index}>
        <dt>{row.label}</dt>
        <dd>{row.value ?? ""}</dd>
      </div>
    ))}
  </dl>
)

/** The installation's billing plan laid out as the customer sees it on Vercel. */
export const PlanCard = ({ plan }: { plan: BillingPlan | undefined }) => {
  if (plan === undefined) {
    return (
      <p class="empty" data-testid="plan-empty">
        No billing plan yet. Send one with <code>PATCH /v1/installations/&#123;id&#125;</code> and it appears
        here.
      </p>
    )
  }
  const extra = Object.entries(plan).filter(([key]) => !KNOWN.has(key))
  return (
    <article class="plan" data-testid="plan-card" aria-labelledby="plan-name">
      <header class="plan-head">
        <h3 id="plan-name" class="plan-name">
          {plan.name}
        </h3>
        <span class="tag">{plan.type}</span>
      </header>
      {plan.cost === undefined ? null : <p class="plan-cost">{plan.cost}</p>}
      {plan.description === undefined ? null : <p class="plan-description">{plan.description}</p>}
      {plan.highlightedDetails?.length ? (
        <Rows rows={plan.highlightedDetails} className="highlights" />
      ) : null}
      {plan.details?.length ? <Rows rows={plan.details} className="details" /> : null}
      <dl class="meta">
        <div class="row">
          <dt>Plan id</dt>
          <dd>
            <code>{plan.id}</code>
          </dd>
        </div>
        {plan.effectiveDate === undefined ? null : (
          <div class="row">
            <dt>Effective</dt>
            <dd>
              <time dateTime={plan.effectiveDate}>{dateTime(plan.effectiveDate)}</time>
            </dd>
          </div>
        )}
        <div class="row">
          <dt>Payment method</dt>
          <dd>{plan.paymentMethodRequired === true ? "Required" : "Not required"}</dd>
        </div>
        {extra.map(([key, value]) => (
          <div class="row" key={key}>
            <dt>{key}</dt>
            <dd>
              <code>{plain(value)}</code>
            </dd>
          </div>
        ))}
      </dl>
    </article>
  )
}

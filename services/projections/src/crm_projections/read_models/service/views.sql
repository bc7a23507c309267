create or replace view reporting.service_tickets as
    select ticket_id, branch, account_id, ticket_type, channel, severity, grade, product, status,
           assignee, opened_at, deadline, first_resolved_at, resolved_within_sla, resolutions,
           reopened, breached_at, feedback_kind, feedback_score, feedback_at, feedback_agent,
           parts_amount, charges_amount
    from projections.service_tickets;
create or replace view reporting.service_quality as
    select branch,
           count(*)::int as tickets,
           count(*) filter (where ticket_type = 'complaint')::int as complaints,
           count(*) filter (where breached_at is not null)::int as sla_breaches,
           count(*) filter (where feedback_kind is not null)::int as feedback,
           count(*) filter (where feedback_kind = 'praise')::int as praise,
           avg(feedback_score) as average_score
    from projections.service_tickets group by branch;
create or replace view reporting.complaint_delays as
    select ticket_id, branch, account_id, grade, severity, opened_at, deadline,
           first_resolved_at,
           extract(epoch from (coalesce(first_resolved_at, now()) - deadline)) / 3600
               as hours_late
    from projections.service_tickets
    where ticket_type = 'complaint'
      and (breached_at is not null or coalesce(first_resolved_at, now()) > deadline);
create or replace view reporting.repair_statistics as
    select branch, coalesce(product, '') as product, severity, count(*)::int as repairs,
           avg(extract(epoch from (first_resolved_at - opened_at)) / 3600) as average_hours,
           sum(parts_amount) as parts_amount, sum(charges_amount) as charges_amount
    from projections.service_tickets where ticket_type = 'repair'
    group by branch, coalesce(product, ''), severity;

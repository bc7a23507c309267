create or replace view reporting.leads as
    select lead_id, branch, source, campaign_id, company, status, assignee, captured_at,
           assigned_at, first_follow_up_at, overdue_since, possible_duplicates, converted_at,
           account_id, opportunity_id
    from projections.leads;
create or replace view reporting.overdue_leads as
    select lead_id, branch, company, assignee, assigned_at, overdue_since
    from projections.leads where overdue_since is not null and first_follow_up_at is null
      and status not in ('converted', 'disqualified', 'merged');
create or replace view reporting.accounts as
    select account_id, branch, company, industry, size, owner_id, grade, opened_at, interactions,
           interaction_cost, last_interaction_at, growth_potential
    from projections.accounts;
create or replace view reporting.neglected_customers as
    select account_id, branch, company, owner_id, grade, last_interaction_at,
           extract(day from now() - coalesce(last_interaction_at, opened_at))::int
               as days_without_contact
    from projections.accounts;
create or replace view reporting.campaign_effectiveness as
    with l as (
        select campaign_id, count(*)::int as leads,
               count(*) filter (where opportunity_id is not null)::int as opportunities
        from projections.leads where campaign_id is not null group by campaign_id
    ), o as (
        select campaign_id, count(*) filter (where status = 'won')::int as won,
               coalesce(sum(amount) filter (where status = 'won'), 0) as revenue
        from projections.funnel_opportunities where campaign_id is not null group by campaign_id
    )
    select c.campaign_id, c.branch, c.campaign_type, c.theme, c.status, c.starts_on, c.budget,
           c.actual_cost, c.participants,
           coalesce(l.leads, 0) as leads, coalesce(l.opportunities, 0) as opportunities,
           coalesce(o.won, 0) as won, coalesce(o.revenue, 0) as attributed_revenue,
           case when coalesce(l.leads, 0) > 0 then round(c.actual_cost / l.leads, 2) end
               as cost_per_lead,
           case when c.actual_cost > 0
                then round((coalesce(o.revenue, 0) - c.actual_cost) / c.actual_cost, 4) end as roi
    from projections.campaigns c
    left join l using (campaign_id) left join o using (campaign_id);
create or replace view reporting.activities as
    select activity_id, branch, user_id, kind, account_id, lead_id, at
    from projections.activities;

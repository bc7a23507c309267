create or replace view reporting.funnel as
    select branch, stage, count(*)::int as opportunities, sum(amount) as amount
    from projections.funnel_opportunities where status in ('open', 'won') group by branch, stage;
create or replace view reporting.opportunities as
    select opportunity_id, branch, account_id, owner_id, name, stage, status, amount, currency,
           opened_at, stage_entered_at, expected_close, lead_id, campaign_id, closed_at,
           lost_reason, lost_stage, competitor, competitor_price
    from projections.funnel_opportunities;
create or replace view reporting.lost_deals as
    select branch, lost_reason as reason, lost_stage as stage, competitor,
           count(*)::int as opportunities, sum(amount) as amount,
           avg(competitor_price) as average_competitor_price
    from projections.funnel_opportunities where status = 'lost'
    group by branch, lost_reason, lost_stage, competitor;
create or replace view reporting.competitor_results as
    with faced as (
        select o.branch, c.competitor, o.status, o.competitor as winner, o.amount,
               o.opportunity_id
        from projections.opportunity_competitors c
        join projections.funnel_opportunities o using (opportunity_id)
        where o.status in ('won', 'lost')
        union  -- a deal lost to a competitor it also tracked counts once
        select o.branch, o.competitor, o.status, o.competitor, o.amount, o.opportunity_id
        from projections.funnel_opportunities o
        where o.status = 'lost' and o.competitor is not null
    )
    select branch, competitor,
           count(*)::int as decided,
           count(*) filter (where status = 'won')::int as we_won,
           count(*) filter (where status = 'lost' and winner = competitor)::int as they_won,
           count(*) filter (where status = 'lost' and winner is distinct from competitor)::int
               as others_won,
           coalesce(sum(amount) filter (where status = 'won'), 0) as amount_we_won,
           coalesce(sum(amount) filter (where status = 'lost' and winner = competitor), 0)
               as amount_they_won
    from faced group by branch, competitor;
create or replace view reporting.stage_stays as
    select opportunity_id, branch, stage, entered_at, left_at, next_stage, lost
    from projections.opportunity_stays;

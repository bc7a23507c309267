create or replace view reporting.contracts as
    select contract_id, branch, account_id, owner_id, opportunity_id, campaign_id, currency,
           status, version, amount, cost, amount - cost as margin, collected, credit,
           amount - collected as outstanding,
           case when amount > 0 then round(collected / amount, 4) end as percent_collected,
           returned_value, drafted_at, signed_at, ended_at, bad_debt_at
    from projections.contracts;
create or replace view reporting.contract_instalments as
    select i.contract_id, i.number, i.branch, i.account_id, i.due, i.amount, i.paid,
           i.amount - i.paid as open, i.last_paid_at, i.overdue_at, i.days_late,
           case when i.paid < i.amount and i.due < current_date
                then current_date - i.due else 0 end as days_overdue
    from projections.contract_instalments i
    join projections.contracts c using (contract_id)
    where c.status not in ('draft', 'submitted', 'approved', 'terminated');
create or replace view reporting.receivables as
    select c.branch, c.contract_id, c.account_id, c.amount, c.collected,
           c.amount - c.collected as outstanding,
           coalesce(sum(i.open) filter (where i.days_overdue > 0), 0) as overdue,
           coalesce(max(i.days_overdue), 0) as max_days_overdue,
           c.bad_debt_at is not null as bad_debt_risk
    from projections.contracts c
    left join reporting.contract_instalments i using (contract_id)
    where c.status in ('signed', 'in_execution', 'suspended', 'completed')
    group by c.branch, c.contract_id, c.account_id, c.amount, c.collected, c.bad_debt_at;
create or replace view reporting.product_sales as
    select c.branch, l.product, l.product_line, c.contract_id, c.account_id, c.signed_at,
           l.quantity, l.quantity * l.unit_price as revenue,
           l.quantity * (l.unit_price - l.unit_cost) as margin,
           l.returned, l.returned_value,
           l.returned * (l.unit_price - l.unit_cost) as returned_margin
    from projections.contract_lines l join projections.contracts c using (contract_id)
    where c.signed_at is not null;

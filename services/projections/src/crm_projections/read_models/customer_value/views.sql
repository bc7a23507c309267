create or replace view reporting.customer_values as
    select account_id, branch, company, revenue, margin, late_days, instalments_due,
           credit_factor, order_factor, margin_factor, score, growth_potential, rank, grade,
           lifecycle,
           relationship, published_grade, computed_at
    from projections.customer_values;

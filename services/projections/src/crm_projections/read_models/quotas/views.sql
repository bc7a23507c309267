create or replace view reporting.quota_months as
    select quota_id, year, month, dimension, key, branch, amount from projections.quota_months;

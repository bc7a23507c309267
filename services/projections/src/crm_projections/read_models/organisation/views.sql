create or replace view reporting.branch_regions as
    select branch, region, since,
           lead(since) over (partition by branch order by since) as until
    from projections.branch_regions;
create or replace function reporting.region_at(b text, t timestamptz) returns text
    language sql stable as $$
        select region from projections.branch_regions where branch = b
        order by since <= t desc, case when since <= t then since end desc, since
        limit 1
    $$;

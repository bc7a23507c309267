create schema if not exists reporting;
create or replace view reporting.projection_progress as
    select projection, stream_id, version, applied_at from projections.stream_progress;

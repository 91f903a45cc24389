-- No-show models (docs/architecture.md §9.8): each training run of a site's
-- model, with its weights and its quality on held-out visits. The newest row
-- of a site scores its upcoming visits and is what the Reports screen shows;
-- a run keeps the last few and deletes older ones.
CREATE TABLE no_show_models (
  id bigserial PRIMARY KEY,
  site_id uuid NOT NULL,
  trained_at timestamptz NOT NULL DEFAULT now(),
  model jsonb NOT NULL
);
CREATE INDEX no_show_models_site_trained ON no_show_models (site_id, trained_at DESC);

# app/store: sources of hearth_app.
target_sources(hearth_app PRIVATE
)

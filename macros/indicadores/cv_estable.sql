{#- A CV as thresholds should see it: rounded to 1e-9 percentage points. DuckDB's parallel sums add in no
    fixed order, so the same inputs give 25.0 in one build and 25.000000000000004 in another (measured on
    the IMSS monthly estimates, full build against a build with one month added later); compared with an
    umbral_cv of 25, that flipped which months entered a moving average and which level the matching chose.
    Rounding makes a rebuild of only what changed equal a full rebuild. -#}
{% macro cv_estable(expresion) -%}
    round({{ expresion }}, 9)
{%- endmacro %}

// Matrix × vector over Q4_K weights: see matvec.glsl.
#version 450
#define TYPE_Q4_K
#include "matvec.glsl"

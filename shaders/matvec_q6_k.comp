// Matrix × vector over Q6_K weights: see matvec.glsl.
#version 450
#define TYPE_Q6_K
#include "matvec.glsl"

// Matrix × vector over Q5_K weights: see matvec.glsl.
#version 450
#define TYPE_Q5_K
#include "matvec.glsl"

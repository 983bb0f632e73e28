#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <yaml.h>

/* Calls into the shared libyaml, so the extension needs libyaml-0.so at run time. */
static PyObject *libyaml_version(PyObject *self, PyObject *noargs) {
    return PyUnicode_FromString(yaml_get_version_string());
}

static PyMethodDef methods[] = {
    {"libyaml_version", libyaml_version, METH_NOARGS, "libyaml's version string."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_yamlver", NULL, -1, methods};

PyMODINIT_FUNC PyInit__yamlver(void) { return PyModule_Create(&module); }

#include <Python.h>

static PyObject *greet(PyObject *self, PyObject *name) {
    return PyUnicode_FromFormat("hello, %U", name);
}

static PyMethodDef methods[] = {
    {"greet", greet, METH_O, "Greet someone."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_core", NULL, -1, methods};

PyMODINIT_FUNC PyInit__core(void) { return PyModule_Create(&module); }

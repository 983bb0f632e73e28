#include <Python.h>

static PyObject *answer(PyObject *self, PyObject *noargs) { return PyLong_FromLong(41); }

static PyMethodDef methods[] = {
    {"answer", answer, METH_NOARGS, "Off by one, on purpose."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_answer", NULL, -1, methods};

PyMODINIT_FUNC PyInit__answer(void) { return PyModule_Create(&module); }

#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *sum_of_squares(PyObject *self, PyObject *args) {
    PyObject *iterable;
    if (!PyArg_ParseTuple(args, "O", &iterable)) return NULL;
    PyObject *it = PyObject_GetIter(iterable);
    if (it == NULL) return NULL;
    long long total = 0;
    PyObject *item;
    while ((item = PyIter_Next(it)) != NULL) {
        long long v = PyLong_AsLongLong(item);
        Py_DECREF(item);
        if (v == -1 && PyErr_Occurred()) { Py_DECREF(it); return NULL; }
        total += v * v;
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) return NULL;
    return PyLong_FromLongLong(total);
}

/* The architecture this module was compiled for, as the C compiler saw it. */
static PyObject *machine(PyObject *self, PyObject *noargs) {
#if defined(__x86_64__)
    return PyUnicode_FromString("x86_64");
#elif defined(__i386__)
    return PyUnicode_FromString("i686");
#elif defined(__aarch64__)
    return PyUnicode_FromString("aarch64");
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
    return PyUnicode_FromString("ppc64le");
#elif defined(__s390x__)
    return PyUnicode_FromString("s390x");
#else
    return PyUnicode_FromString("unknown");
#endif
}

static PyMethodDef methods[] = {
    {"sum_of_squares", sum_of_squares, METH_VARARGS, "Sum of the squares of an iterable of ints."},
    {"machine", machine, METH_NOARGS, "The architecture the module was compiled for."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_sumsq", NULL, -1, methods};

PyMODINIT_FUNC PyInit__sumsq(void) { return PyModule_Create(&module); }

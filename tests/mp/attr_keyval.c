/* Keyval lifetime: a keyval freed while attributes still use it stays alive (its attributes
 * can be read and deleted, the delete callback still runs); freeing it again through a copy
 * of the handle meanwhile is accepted; once the last attribute is gone the number is invalid
 * (MPI_ERR_KEYVAL), as is a keyval that never existed or one of another kind. Comm, datatype
 * and window keyvals. Any number of ranks. */
#include "mptest.h"

static int ndeleted;

static int del_comm(MPI_Comm c, int k, void *v, void *e)
{
    (void)c, (void)k, (void)e;
    CHECK(v == (void *)&ndeleted, "delete callback got the wrong value");
    ndeleted++;
    return MPI_SUCCESS;
}

static int del_type(MPI_Datatype t, int k, void *v, void *e)
{
    return del_comm((MPI_Comm)t, k, v, e);
}

static int del_win(MPI_Win w, int k, void *v, void *e)
{
    return del_comm((MPI_Comm)w, k, v, e);
}

/* Delete callback that frees the keyval itself (as MPICH's keyval_double_free tests do). */
static int del_and_free(MPI_Comm c, int k, void *v, void *e)
{
    (void)c, (void)v, (void)e;
    CHECK_MPI(MPI_Comm_free_keyval(&k));
    ndeleted++;
    return MPI_SUCCESS;
}

static void t_comm(void)
{
    MPI_Comm a, b;
    int kv, copy, flag;
    void *val;
    CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &a));
    CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &b));
    CHECK_MPI(MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, del_comm, &kv, NULL));
    copy = kv;
    CHECK_MPI(MPI_Comm_set_attr(a, kv, &ndeleted));
    CHECK_MPI(MPI_Comm_set_attr(b, kv, &ndeleted));
    CHECK_MPI(MPI_Comm_free_keyval(&kv));
    CHECK_EQ(kv, MPI_KEYVAL_INVALID, "handle after free");
    /* still alive: attribute readable, second free through the copy accepted */
    CHECK_MPI(MPI_Comm_get_attr(a, copy, &val, &flag));
    CHECK(flag && val == (void *)&ndeleted, "attribute lost after keyval free");
    int copy2 = copy;
    CHECK_MPI(MPI_Comm_free_keyval(&copy2));
    ndeleted = 0;
    CHECK_MPI(MPI_Comm_free(&a));
    CHECK_EQ(ndeleted, 1, "delete callbacks after freeing the first comm");
    CHECK_MPI(MPI_Comm_delete_attr(b, copy));
    CHECK_EQ(ndeleted, 2, "delete callbacks after deleting the last attribute");
    /* the keyval is gone now */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    copy2 = copy;
    CHECK_ERRCLASS(MPI_Comm_free_keyval(&copy2), MPI_ERR_KEYVAL);
    int never = 12345;
    CHECK_ERRCLASS(MPI_Comm_free_keyval(&never), MPI_ERR_KEYVAL);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
    CHECK_MPI(MPI_Comm_free(&b));

    /* keyval freed from inside its own delete callback, then again by the user */
    CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &a));
    CHECK_MPI(MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, del_and_free, &kv, NULL));
    copy = kv;
    int saved = kv;
    CHECK_MPI(MPI_Comm_set_attr(MPI_COMM_SELF, kv, NULL));
    CHECK_MPI(MPI_Comm_set_attr(a, kv, NULL));
    ndeleted = 0;
    CHECK_MPI(MPI_Comm_free(&a));
    CHECK_EQ(ndeleted, 1, "self-freeing delete callback");
    CHECK_MPI(MPI_Comm_free_keyval(&kv));
    CHECK_MPI(MPI_Comm_free_keyval(&copy));
    CHECK_MPI(MPI_Comm_delete_attr(MPI_COMM_SELF, saved));
    CHECK_EQ(ndeleted, 2, "self-freeing delete callback on the last attribute");
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    CHECK_ERRCLASS(MPI_Comm_free_keyval(&saved), MPI_ERR_KEYVAL);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
}

static void t_type(void)
{
    MPI_Datatype t1, t2;
    int kv, copy, wkv;
    CHECK_MPI(MPI_Type_dup(MPI_INT, &t1));
    CHECK_MPI(MPI_Type_dup(MPI_INT, &t2));
    CHECK_MPI(MPI_Type_create_keyval(MPI_TYPE_NULL_COPY_FN, del_type, &kv, NULL));
    copy = kv;
    CHECK_MPI(MPI_Type_set_attr(t1, kv, &ndeleted));
    CHECK_MPI(MPI_Type_set_attr(t2, kv, &ndeleted));
    ndeleted = 0;
    CHECK_MPI(MPI_Type_free(&t1));
    CHECK_MPI(MPI_Type_free_keyval(&kv));
    int c2 = copy;
    CHECK_MPI(MPI_Type_free_keyval(&c2));
    CHECK_MPI(MPI_Type_free(&t2));
    CHECK_EQ(ndeleted, 2, "datatype delete callbacks");
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    CHECK_ERRCLASS(MPI_Type_free_keyval(&copy), MPI_ERR_KEYVAL);
    /* a window keyval is not a datatype keyval */
    CHECK_MPI(MPI_Win_create_keyval(MPI_WIN_NULL_COPY_FN, del_win, &wkv, NULL));
    c2 = wkv;
    CHECK_ERRCLASS(MPI_Type_free_keyval(&c2), MPI_ERR_KEYVAL);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
    CHECK_MPI(MPI_Win_free_keyval(&wkv));
}

static void t_win(void)
{
    MPI_Win w1, w2;
    int buf[2], kv, copy;
    CHECK_MPI(MPI_Win_create(&buf[0], sizeof(int), 1, MPI_INFO_NULL, MPI_COMM_WORLD, &w1));
    CHECK_MPI(MPI_Win_create(&buf[1], sizeof(int), 1, MPI_INFO_NULL, MPI_COMM_WORLD, &w2));
    CHECK_MPI(MPI_Win_create_keyval(MPI_WIN_NULL_COPY_FN, del_win, &kv, NULL));
    copy = kv;
    CHECK_MPI(MPI_Win_set_attr(w1, kv, &ndeleted));
    CHECK_MPI(MPI_Win_set_attr(w2, kv, &ndeleted));
    ndeleted = 0;
    CHECK_MPI(MPI_Win_free(&w1));
    CHECK_MPI(MPI_Win_free_keyval(&kv));
    int c2 = copy;
    CHECK_MPI(MPI_Win_free_keyval(&c2));
    CHECK_MPI(MPI_Win_free(&w2));
    CHECK_EQ(ndeleted, 2, "window delete callbacks");
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    CHECK_ERRCLASS(MPI_Win_free_keyval(&copy), MPI_ERR_KEYVAL);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
}

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    t_comm();
    t_type();
    t_win();
    return mpt_finish();
}

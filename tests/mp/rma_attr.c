/*
 * rma_attr.c - window attributes, names, groups and info: predefined attributes
 * (MPI_WIN_BASE/SIZE/DISP_UNIT/CREATE_FLAVOR/MODEL), user keyvals with copy/delete callbacks
 * (delete runs on MPI_Win_delete_attr, on replacement and on MPI_Win_free), Win_set/get_name,
 * Win_get_group, Win_set/get_info.
 */
#include "mptest.h"

static int ndeleted;

static int del_fn(MPI_Win win, int keyval, void *val, void *extra)
{
    (void)win, (void)keyval;
    CHECK(extra == (void *)&ndeleted, "extra state passed to delete");
    ndeleted += *(int *)val;
    return MPI_SUCCESS;
}

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    char buf[64];
    MPI_Win win;
    CHECK_MPI(MPI_Win_create(buf, sizeof(buf), 4, MPI_INFO_NULL, MPI_COMM_WORLD, &win));
    void *base;
    MPI_Aint *size;
    int *du, *flavor, *model, flag;
    CHECK_MPI(MPI_Win_get_attr(win, MPI_WIN_BASE, &base, &flag));
    CHECK(flag && base == buf, "MPI_WIN_BASE");
    CHECK_MPI(MPI_Win_get_attr(win, MPI_WIN_SIZE, &size, &flag));
    CHECK(flag && *size == (MPI_Aint)sizeof(buf), "MPI_WIN_SIZE");
    CHECK_MPI(MPI_Win_get_attr(win, MPI_WIN_DISP_UNIT, &du, &flag));
    CHECK(flag && *du == 4, "MPI_WIN_DISP_UNIT");
    CHECK_MPI(MPI_Win_get_attr(win, MPI_WIN_CREATE_FLAVOR, &flavor, &flag));
    CHECK(flag && *flavor == MPI_WIN_FLAVOR_CREATE, "MPI_WIN_CREATE_FLAVOR");
    CHECK_MPI(MPI_Win_get_attr(win, MPI_WIN_MODEL, &model, &flag));
    CHECK(flag && (*model == MPI_WIN_UNIFIED || *model == MPI_WIN_SEPARATE), "MPI_WIN_MODEL");

    /* names */
    char name[MPI_MAX_OBJECT_NAME];
    int len = -1;
    CHECK_MPI(MPI_Win_get_name(win, name, &len));
    CHECK_MPI(MPI_Win_set_name(win, "my window"));
    CHECK_MPI(MPI_Win_get_name(win, name, &len));
    CHECK(strcmp(name, "my window") == 0 && len == 9, "name round trip: '%s' %d", name, len);

    /* group */
    MPI_Group g, wg;
    int res;
    CHECK_MPI(MPI_Win_get_group(win, &g));
    CHECK_MPI(MPI_Comm_group(MPI_COMM_WORLD, &wg));
    CHECK_MPI(MPI_Group_compare(g, wg, &res));
    CHECK_EQ(res, MPI_IDENT, "window group equals the communicator's group");
    CHECK_MPI(MPI_Group_free(&g));
    CHECK_MPI(MPI_Group_free(&wg));

    /* user keyvals */
    int kv, v1 = 1, v2 = 10, v3 = 100, *got;
    ndeleted = 0;
    CHECK_MPI(MPI_Win_create_keyval(MPI_WIN_NULL_COPY_FN, del_fn, &kv, &ndeleted));
    CHECK_MPI(MPI_Win_get_attr(win, kv, &got, &flag));
    CHECK_EQ(flag, 0, "unset attribute");
    CHECK_MPI(MPI_Win_set_attr(win, kv, &v1));
    CHECK_MPI(MPI_Win_get_attr(win, kv, &got, &flag));
    CHECK(flag && got == &v1, "attribute value");
    CHECK_MPI(MPI_Win_set_attr(win, kv, &v2)); /* replaces: delete(v1) */
    CHECK_EQ(ndeleted, 1, "delete callback on replacement");
    CHECK_MPI(MPI_Win_delete_attr(win, kv)); /* delete(v2) */
    CHECK_EQ(ndeleted, 11, "delete callback on Win_delete_attr");
    CHECK_MPI(MPI_Win_set_attr(win, kv, &v3));
    CHECK_MPI(MPI_Win_free_keyval(&kv));
    CHECK_EQ(kv, MPI_KEYVAL_INVALID, "keyval reset by free");

    /* info */
    MPI_Info info, used;
    CHECK_MPI(MPI_Info_create(&info));
    CHECK_MPI(MPI_Info_set(info, "no_locks", "false"));
    CHECK_MPI(MPI_Win_set_info(win, info));
    CHECK_MPI(MPI_Win_get_info(win, &used));
    CHECK(used != MPI_INFO_NULL, "Win_get_info returns an info object");
    CHECK_MPI(MPI_Info_free(&used));
    CHECK_MPI(MPI_Info_free(&info));

    CHECK_MPI(MPI_Win_free(&win)); /* delete(v3) */
    CHECK_EQ(ndeleted, 111, "delete callback on Win_free");

    /* Win_allocate: base attribute is the allocated memory */
    int *mem;
    CHECK_MPI(MPI_Win_allocate(sizeof(int) * 3, sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &mem,
                               &win));
    CHECK_MPI(MPI_Win_get_attr(win, MPI_WIN_BASE, &base, &flag));
    CHECK(flag && base == mem, "MPI_WIN_BASE of an allocated window");
    CHECK_MPI(MPI_Win_get_attr(win, MPI_WIN_CREATE_FLAVOR, &flavor, &flag));
    CHECK(flag && *flavor == MPI_WIN_FLAVOR_ALLOCATE, "allocate flavor");
    CHECK_MPI(MPI_Win_free(&win));
    return mpt_finish();
}

"""`bookforge batch`: many books on every core here, or on a Dask cluster, resumable and isolated."""
